FROM shellcmd:1
COPY . /app
