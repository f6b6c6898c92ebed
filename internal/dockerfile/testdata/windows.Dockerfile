FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS nano
RUN dir C:\Windows
CMD cmd /c echo hi

FROM alpine:3.20 AS pwsh
SHELL ["pwsh", "-Command"]
RUN Get-ChildItem
CMD Write-Host hi

FROM pwsh AS inherits
RUN Get-Process

FROM alpine:3.20 AS bash
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL x | sh
