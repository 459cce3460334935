using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Gateway.EndToEnd.Tests.RealClients;

/// <summary>One client operation in one mode: how long it took, whether it ended as expected, and what the user saw.</summary>
/// <param name="Client">docker, podman, buildah, skopeo or ctr.</param>
/// <param name="Operation">What the user did, e.g. "push the ACL refuses".</param>
/// <param name="Mode">basic or token.</param>
/// <param name="Seconds">Wall time of the command.</param>
/// <param name="Passed">True when exit status, key words and time bound were as expected.</param>
/// <param name="Seen">The last line the client printed (refusals), or why the expectation failed.</param>
public sealed record MatrixRow(string Client, string Operation, string Mode, double Seconds, bool Passed, string Seen);

/// <summary>
/// The real-client matrix (client × operation × mode → seconds, pass), collected over every case of
/// <see cref="RealClientMatrixTests"/> and written as text next to the test assembly, where <c>.ci/run</c> prints it.
/// </summary>
public sealed class MatrixTable
{
    /// <summary>The file's name, next to the test assembly.</summary>
    public const string FileName = "real-client-matrix.txt";

    private static readonly string[] ClientOrder = ["docker", "podman", "buildah", "skopeo", "ctr"];

    private readonly ConcurrentQueue<MatrixRow> _rows = new();

    /// <summary>Every row so far.</summary>
    public IReadOnlyCollection<MatrixRow> Rows => _rows;

    /// <summary>Adds a row.</summary>
    public void Add(MatrixRow row) => _rows.Enqueue(row);

    /// <summary>The matrix as text: seconds per mode (FAIL where the expectation failed), then what clients printed for refusals.</summary>
    public string Render()
    {
        var rows = _rows.ToArray();
        var text = new StringBuilder();
        text.AppendLine("Real-client matrix (seconds; FAIL = exit status, key words or time bound not as expected)");
        var keys = rows.Select((r, i) => (r.Client, r.Operation, Index: i))
            .GroupBy(k => (k.Client, k.Operation))
            .Select(g => (g.Key.Client, g.Key.Operation, First: g.Min(k => k.Index)))
            .OrderBy(k => Rank(k.Client)).ThenBy(k => k.First)
            .Select(k => (k.Client, k.Operation))
            .ToList();
        var width = Math.Max(34, keys.Count == 0 ? 0 : keys.Max(k => k.Operation.Length));
        text.AppendLine(CultureInfo.InvariantCulture, $"| {"client",-7} | {"operation".PadRight(width)} | {"basic",-10} | {"token",-10} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|{new string('-', 9)}|{new string('-', width + 2)}|{new string('-', 12)}|{new string('-', 12)}|");
        foreach (var (client, operation) in keys)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {client,-7} | {operation.PadRight(width)} | {Cell(rows, client, operation, "basic"),-10} | {Cell(rows, client, operation, "token"),-10} |");
        }

        var failed = rows.Count(r => !r.Passed);
        text.AppendLine(CultureInfo.InvariantCulture, $"{rows.Length} operations, {failed} not as expected");
        text.AppendLine();
        text.AppendLine("What the clients printed (refusals; last line):");
        foreach (var row in rows.Where(r => r.Seen.Length > 0).OrderBy(r => Rank(r.Client)).ThenBy(r => r.Mode, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {row.Client} {row.Mode}, {row.Operation}: {row.Seen}");
        }

        return text.ToString();
    }

    /// <summary>Writes <see cref="Render"/> to <see cref="FileName"/> next to the test assembly; answers the path.</summary>
    public string WriteFile()
    {
        var path = Path.Combine(AppContext.BaseDirectory, FileName);
        File.WriteAllText(path, Render());
        return path;
    }

    private static int Rank(string client) => Array.IndexOf(ClientOrder, client) is var i and >= 0 ? i : ClientOrder.Length;

    private static string Cell(MatrixRow[] rows, string client, string operation, string mode)
    {
        var row = rows.LastOrDefault(r => r.Client == client && r.Operation == operation && r.Mode == mode);
        return row is null
            ? "-"
            : string.Create(CultureInfo.InvariantCulture, $"{row.Seconds:0.0}{(row.Passed ? string.Empty : " FAIL")}");
    }
}
