using Gateway.Registry.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge.Telemetry;

/// <summary>
/// The audit trail: one event per access decision on <c>/v2/</c> (event id 2000, category <c>Gateway.Audit</c>),
/// at Information whatever the outcome. Never a password, a header, a token or a fingerprint: only who
/// (the user name the client claimed, or none), from where, what, the outcome and why. Client-supplied values are
/// escaped (<see cref="LogText"/>): a user name cannot pass for more fields or lines. Shipped as JSON by
/// the console's <c>json</c> formatter (<c>Logging__Console__FormatterName=json</c>); the category can be
/// routed or silenced on its own (<c>Logging:LogLevel:Gateway.Audit</c>).
/// </summary>
public sealed partial class AccessAudit(ILoggerFactory loggerFactory)
{
    /// <summary>The log category of audit events.</summary>
    public const string Category = "Gateway.Audit";

    /// <summary>The event id of an access decision.</summary>
    public const int AccessDecidedEventId = EventIds.AccessDecided;

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    /// <summary>Records one access decision.</summary>
    /// <param name="user">The user name the client presented; <see langword="null"/> when none could be read.</param>
    /// <param name="client">The client address.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="route">The registry's name of the route (<c>manifest</c>, <c>blob-upload</c>, …), <c>-</c> when the request was not read.</param>
    /// <param name="repository">The repository; <see langword="null"/> for <c>/v2/</c> and the catalog, or when the path did not parse.</param>
    /// <param name="actions">The actions asked for, comma-separated (e.g. <c>pull,push</c>); empty when none.</param>
    /// <param name="requested">
    /// Every scope the request needs, in the token scope grammar (<c>repository:a/app:pull,push repository:b/base:pull</c>
    /// for a mount), exactly as the gate authorizes it; empty when none or when the request was not read.
    /// </param>
    /// <param name="outcome">The decision: <c>allowed</c>, <c>invalid_credentials</c>, <c>unauthenticated</c>, …</param>
    /// <param name="reason">Why, in a few words (never a credential).</param>
    public void AccessDecided(string? user, string client, string method, string route, string? repository, string actions, string requested, string outcome, string reason) =>
        Log(_logger, LogText.Escape(user), client, LogText.Escape(method), route, LogText.Escape(repository), actions, requested.Length == 0 ? "-" : requested, outcome, reason);

    [LoggerMessage(EventId = AccessDecidedEventId, EventName = "AccessDecided", Level = LogLevel.Information,
        Message = "access {Outcome}: user={User} client={Client} {Method} route={Route} repository={Repository} actions={Actions} requested={Requested} reason={Reason}")]
    private static partial void Log(ILogger logger, string user, string client, string method, string route, string repository, string actions, string requested, string outcome, string reason);
}
