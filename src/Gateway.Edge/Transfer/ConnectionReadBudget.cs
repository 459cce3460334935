using System.Collections.Concurrent;

namespace Gateway.Edge.Transfer;

/// <summary>
/// How many request bodies may be read coalesced at once on one HTTP/2 connection. Such a read leaves up to
/// <c>MinimumReadSize</c> bytes unread while it waits for more, and unread bytes hold the connection's flow-control window
/// (Kestrel opens it again only as the application reads). If the waiting reads together held the whole window the
/// client could send nothing more and every one of them would wait for ever; kept to half the window, the other half
/// always moves.
/// </summary>
public sealed class ConnectionReadBudget(int perConnection)
{
    private readonly ConcurrentDictionary<string, int> _reading = new(StringComparer.Ordinal);

    /// <summary>Coalesced reads allowed at once per connection.</summary>
    public int PerConnection { get; } = Math.Max(0, perConnection);

    /// <summary>Connections with a coalesced read now.</summary>
    public int Connections => _reading.Count;

    /// <summary>The budget for a connection window of <paramref name="windowBytes"/> and reads of at least <paramref name="minimumReadSize"/>.</summary>
    public static ConnectionReadBudget For(long windowBytes, int minimumReadSize) =>
        new(minimumReadSize <= 0 ? 0 : (int)Math.Min(int.MaxValue, windowBytes / 2 / minimumReadSize));

    /// <summary>Takes a place on <paramref name="connection"/>; false when its places are all taken.</summary>
    public bool TryEnter(string connection)
    {
        while (true)
        {
            if (!_reading.TryGetValue(connection, out var current))
            {
                if (PerConnection == 0)
                {
                    return false;
                }

                if (_reading.TryAdd(connection, 1))
                {
                    return true;
                }

                continue;
            }

            if (current >= PerConnection)
            {
                return false;
            }

            if (_reading.TryUpdate(connection, current + 1, current))
            {
                return true;
            }
        }
    }

    /// <summary>Gives back a place taken with <see cref="TryEnter"/>.</summary>
    public void Exit(string connection)
    {
        while (_reading.TryGetValue(connection, out var current))
        {
            if (current <= 1)
            {
                if (_reading.TryRemove(new KeyValuePair<string, int>(connection, current)))
                {
                    return;
                }
            }
            else if (_reading.TryUpdate(connection, current - 1, current))
            {
                return;
            }
        }
    }
}
