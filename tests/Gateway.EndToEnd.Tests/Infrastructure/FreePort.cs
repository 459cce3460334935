using System.Net;
using System.Net.Sockets;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Finds free TCP ports on 127.0.0.1 by binding port 0.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];
    private static readonly Lock Gate = new();

    /// <summary>A port that was free a moment ago and was not handed out before by this test run.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Gate)
            {
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("Could not find a free TCP port on 127.0.0.1.");
    }

    /// <summary>
    /// The first of <paramref name="count"/> consecutive ports that were all free a moment ago and none handed out before
    /// (for programs that derive ports from a base, such as deploy/local-cluster.sh). Searched from a random start
    /// within the range Linux does not hand out as ephemeral ports (below 32768).
    /// </summary>
    public static int NextRange(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 32768 - count);
            lock (Gate)
            {
                var candidates = Enumerable.Range(first, count).ToArray();
                if (candidates.Any(Handed.Contains) || !candidates.All(IsFree))
                {
                    continue;
                }

                Handed.UnionWith(candidates);
                return first;
            }
        }

        throw new InvalidOperationException($"Could not find {count} consecutive free TCP ports on 127.0.0.1.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
