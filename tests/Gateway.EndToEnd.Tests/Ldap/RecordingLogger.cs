using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.EndToEnd.Tests.Ldap;

/// <summary>A logger that keeps every message (formatted) with its event id and level, for assertions on what an operator reads.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _entries = new();

    /// <summary>Everything logged so far, oldest first.</summary>
    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries => [.. _entries];

    /// <summary>Every message as one text, one line each.</summary>
    public string Text => string.Join('\n', _entries.Select(e => $"{e.Level} {e.EventId} {e.Message}"));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }
}
