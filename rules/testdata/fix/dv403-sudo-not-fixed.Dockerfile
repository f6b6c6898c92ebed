FROM fedora:40
RUN sudo dnf install -y gcc
