# The twin service image for docker-compose.yml.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/EquipmentTwin.Cli -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
VOLUME /data
EXPOSE 5080
ENTRYPOINT ["dotnet", "twin.dll", "serve", "--data-dir", "/data", "--http-bind", "0.0.0.0"]
