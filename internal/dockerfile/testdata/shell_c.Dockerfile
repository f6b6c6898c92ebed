FROM ubuntu:24.04
RUN sh -c 'apt-get update && apt-get install -y curl'
RUN sh -c "echo \"quoted\" \$HOME && rm -rf /var/lib/apt/lists/*"
RUN bash -ec "apt-get clean"
RUN /bin/sh -c "sh -c 'sh -c \"echo deep\"'"
RUN ["sh", "-c", "apt-get update && apt-get install -y git"]
RUN ["/bin/bash", "-c", "echo \"x\" && rm -rf /tmp/*"]
RUN ["echo", "exec", "form"]
RUN sudo -E env DEBIAN_FRONTEND=noninteractive apt-get install -y vim || true
RUN if [ -f /x ]; then rm /x; fi; (cd /tmp && make) | tee log
RUN bash -o pipefail -c 'curl -fsSL https://example.com | sh'
CMD npm start
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD exec node server.js
