using Gateway.Edge.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Authorization;

/// <summary>Checks the ACL file every <see cref="AuthOptions.ReloadInterval"/> and takes its new versions.</summary>
public sealed class AclReloadService(AclStore store, IOptions<AuthOptions> options, TimeProvider time) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store.Path is null)
        {
            return;
        }

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
