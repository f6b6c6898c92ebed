# check=skip=InvalidDefinitionDescription

FROM alpine:3.20
ARG DB_PASSWORD
ENV Session_Secret=abc
ENV passwd=one other=two
ARG registry_auth_token=x apikey=y
ENV ssh_key=
ENV PUBLIC_KEY=
ARG public_password
ARG PASSWORD_FILE
ENV token_file=x credentials_File=y
ARG AUTH_PLUGIN_VERSION
ENV PWORD=x MONKEY=banana
ARG Credential
# check=skip=SecretsUsedInArgOrEnv // deliberately kept
ENV api_token=x
# check=skip=SecretsUsedInArgOrEnv // deliberately kept
ARG api_token
# check=skip=all // only for the next instruction
ENV other_token=x
# check=skip=all // only for the next instruction
ARG other_token
ENV last_token=x
