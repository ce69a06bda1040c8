namespace PosterGenre.Api.Serving;

/// <summary>Loads and warms the models before the server accepts requests; a failure stops the start.</summary>
public sealed class ModelWarmupService(ModelRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.LoadAll();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
