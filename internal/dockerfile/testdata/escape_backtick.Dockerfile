# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN New-Item -ItemType Directory C:\app ; `
    Set-Location C:\app
COPY app\bin C:\app\bin
WORKDIR C:\app
CMD C:\app\bin\server.exe --port 80

FROM alpine:3.20
RUN echo a `
    && echo b\c
RUN echo "back\slash is literal" && ls C:\
