FROM scratch
ENV PATH=$PATH:/opt/bin
