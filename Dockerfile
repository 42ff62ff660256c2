# The gateway's image: the SDK image builds, the ASP.NET Core runtime image runs. Both are build arguments, so a
# machine without the official images' registry can pass its own (the image spec builds local ones).
#   docker build -t liiklus .
#   docker run -p 6565:6565 -p 8080:8080 liiklus
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# Restore first, from the project files alone, so a change of source reuses the restored layer.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Liiklus.Api/Liiklus.Api.csproj src/Liiklus.Api/
COPY src/Liiklus.Actors/Liiklus.Actors.csproj src/Liiklus.Actors/
COPY src/Liiklus.Storage/Liiklus.Storage.csproj src/Liiklus.Storage/
COPY src/Liiklus.Plugins/Liiklus.Plugins.csproj src/Liiklus.Plugins/
# For this platform's runtime: the publish below compiles ahead of time (ReadyToRun, see Liiklus.Api.csproj).
RUN dotnet restore src/Liiklus.Api/Liiklus.Api.csproj --use-current-runtime
COPY protos/ protos/
COPY hocon/ hocon/
COPY console/dist/ console/dist/
COPY src/Liiklus.Api/ src/Liiklus.Api/
COPY src/Liiklus.Actors/ src/Liiklus.Actors/
COPY src/Liiklus.Storage/ src/Liiklus.Storage/
COPY src/Liiklus.Plugins/ src/Liiklus.Plugins/
RUN dotnet publish src/Liiklus.Api/Liiklus.Api.csproj -c Release --no-restore --use-current-runtime --no-self-contained -o /app

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app ./
# A user of no privilege, by number so that no passwd entry is needed (Kubernetes' runAsNonRoot checks the number).
USER 10001:10001
# Liiklus's ports: gRPC, operations (health, metrics), Cluster Bootstrap's contact point, Akka.Remote. Everything
# else is a setting (environment variables, or the file named by liiklus_config_file), none is baked in here.
ENV grpc_port=6565 \
    server_port=8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_gcServer=0
EXPOSE 6565 8080 8558 4053
# /health on server_port, with bash alone: the runtime image has no curl or wget.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${server_port:-8080} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# Exec form: the gateway is PID 1 and gets SIGTERM itself; it drains, leaves the cluster and exits, as outside.
ENTRYPOINT ["/app/Liiklus.Api"]
