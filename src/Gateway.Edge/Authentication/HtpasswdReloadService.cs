using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Authentication;

/// <summary>Checks the htpasswd file every <see cref="AuthOptions.ReloadInterval"/> and takes its new versions.</summary>
public sealed class HtpasswdReloadService(HtpasswdStore store, IOptions<AuthOptions> options, TimeProvider time) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                store.ReloadIfChanged();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
