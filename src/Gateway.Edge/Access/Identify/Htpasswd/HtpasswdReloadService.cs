using Gateway.Edge.Files;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Htpasswd;

/// <summary>
/// Takes the htpasswd file's new versions: on file events in its folder, and every <see cref="AuthOptions.ReloadInterval"/>
/// (see <see cref="FileReloader"/>).
/// </summary>
public sealed class HtpasswdReloadService(HtpasswdStore store, IOptions<AuthOptions> options, TimeProvider time, ILogger<HtpasswdReloadService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var reloader = new FileReloader(store.Watched, store.ReloadIfChanged, options.Value.ReloadInterval, time, logger);
        await reloader.RunAsync(stoppingToken);
    }
}
