FROM python:3.12-slim
RUN pip3 install flask
RUN python3.12 -m pip install -r requirements.txt
RUN pip download x
