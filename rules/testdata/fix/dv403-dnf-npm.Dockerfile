FROM fedora:40
RUN dnf install -y gcc
RUN npm ci && npm run build
