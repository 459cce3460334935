using System.Collections.Concurrent;
using Gateway.Edge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge.Tests.Support;

/// <summary>
/// A logger provider that keeps the edge's audit events (category <c>Gateway.Audit</c>, event 1000), by client address,
/// with their structured fields: what a log shipper would see.
/// </summary>
public sealed class AuditRecorder : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<AuditEvent>> _byClient = new();

    /// <summary>
    /// A tag that the host's own middleware may set for the request being handled (the differential fuzzer puts each
    /// request's id there); an audit event written in that request carries it in <see cref="AuditEvent.Tag"/>.
    /// </summary>
    public static AsyncLocal<string?> RequestTag { get; } = new();

    /// <summary>The events of one client address, oldest first; taking them removes them.</summary>
    public IReadOnlyList<AuditEvent> Take(string client)
    {
        var taken = new List<AuditEvent>();
        if (_byClient.TryGetValue(client, out var queue))
        {
            while (queue.TryDequeue(out var e))
            {
                taken.Add(e);
            }
        }

        return taken;
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName == AccessAudit.Category ? new Logger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private void Add(AuditEvent e) => _byClient.GetOrAdd(e.Client, _ => new ConcurrentQueue<AuditEvent>()).Enqueue(e);

    private sealed class Logger(AuditRecorder owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != AccessAudit.AccessDecidedEventId || state is not IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                return;
            }

            string Field(string name) => fields.FirstOrDefault(f => f.Key == name).Value?.ToString() ?? string.Empty;
            owner.Add(new AuditEvent(Field("Outcome"), Field("User"), Field("Client"), Field("Method"), Field("Route"), Field("Repository"), Field("Actions"), Field("Requested"), Field("Reason"), formatter(state, exception), RequestTag.Value));
        }
    }
}

/// <summary>One audit event's fields.</summary>
public sealed record AuditEvent(string Outcome, string User, string Client, string Method, string Route, string Repository, string Actions, string Requested, string Reason, string Message, string? Tag = null);
