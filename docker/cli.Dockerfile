# The training CLI (postergenre-train) as an image, for tagging a catalogue in bulk: `predict`
# with the shipped models inside, one shard per container (deploy/kubernetes/predict-job.yaml).
# Build from the repository root:
#   docker build -f docker/cli.Dockerfile -t postergenre-cli:latest .
# The base images are build arguments, as in the service's Dockerfile. On this Debian 12 base
# `predict`, `evaluate`, `inspect`, `tune`, `calibrate` and `quantize` run (ONNX Runtime);
# `train` and `export` need TorchSharp's libstdc++ (GLIBCXX_3.4.32, Debian 13 or Ubuntu 24.04).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/PosterGenre.Imaging/PosterGenre.Imaging.csproj src/PosterGenre.Imaging/
COPY src/PosterGenre.Inference/PosterGenre.Inference.csproj src/PosterGenre.Inference/
COPY src/PosterGenre.Catalogue/PosterGenre.Catalogue.csproj src/PosterGenre.Catalogue/
COPY training/PosterGenre.Training/PosterGenre.Training.csproj training/PosterGenre.Training/
RUN dotnet restore training/PosterGenre.Training/PosterGenre.Training.csproj -r linux-x64
COPY src/ src/
COPY training/ training/
RUN dotnet publish training/PosterGenre.Training/PosterGenre.Training.csproj -c Release -r linux-x64 --self-contained false --no-restore -o /app

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app ./
COPY models/ /app/models/
ENV MALLOC_ARENA_MAX=2
# 1654 is the non-root "app" user of the official .NET images (and of the stand-ins).
USER 1654:1654
ENTRYPOINT ["dotnet", "/app/postergenre-train.dll"]
