using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Edge.Files;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Authorize;

/// <summary>
/// Takes the ACL file's new versions: on file events in its folder, and every <see cref="AuthOptions.ReloadInterval"/>
/// (see <see cref="FileReloader"/>).
/// </summary>
public sealed class AclReloadService(AclStore store, IOptions<AuthOptions> options, TimeProvider time, ILogger<AclReloadService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store.Watched is not { } file)
        {
            return;
        }

        using var reloader = new FileReloader(file, store.ReloadIfChanged, options.Value.ReloadInterval, time, logger);
        await reloader.RunAsync(stoppingToken);
    }
}
