FROM scratch
ENV MODE=prod
