FROM --platform=linux/arm64 example.com/app/base:1 AS arm
ENV MODE=prod
