FROM python:3.12-alpine
RUN apk add build-base
RUN pip install -r requirements.txt
