# The image of docker-compose.yml: the twin service (default entrypoint), the simulator and the edge agent.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The workbench's front-end packages are installed by the build (npm ci from package-lock.json).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY . .
RUN dotnet publish src/EquipmentTwin.Cli -c Release -o /app
# The edge agent in the same image (docker-compose.yml runs it with its own entrypoint).
RUN dotnet publish edge/EquipmentTwin.Edge -c Release -o /app/edge

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
VOLUME /data
EXPOSE 5080
ENTRYPOINT ["dotnet", "twin.dll", "serve", "--data-dir", "/data", "--http-bind", "0.0.0.0"]
