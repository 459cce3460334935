using System.Diagnostics;
using System.Globalization;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Load;

/// <summary>What one curl command did: the parsed reply, or why it failed; and its wall time (process start included).</summary>
public sealed record CurlOutcome(CurlReply? Reply, string? Error, TimeSpan Elapsed)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// The real curl, forced to HTTP/1.1 (<c>--http1.1</c>), with one user's Basic credentials, against one server. The
/// credentials and the CA go into a curl config file (<c>-K</c>, mode 600) in the run's folder, so the password is on
/// no command line (which <c>ps</c> and this harness's error messages would show).
/// </summary>
public sealed class Curl
{
    private readonly string _config;
    private readonly string _directory;

    private Curl(string config, string directory)
    {
        _config = config;
        _directory = directory;
    }

    /// <summary>Bound of each command (a 1 GiB transfer on a loaded 2-core machine included).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <param name="directory">A folder of the run for the config file and the bodies of small answers.</param>
    /// <param name="caCertificate">The CA file to verify the server with; null for plain HTTP.</param>
    public static Curl Create(string directory, string user, string password, string? caCertificate)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var config = Path.Combine(directory, "curl.config");
        var lines = new List<string> { $"user = {Quote(user + ":" + password)}", "http1.1", "silent", "show-error" };
        if (caCertificate is not null)
        {
            lines.Add($"cacert = {Quote(caCertificate)}");
        }

        File.WriteAllText(config, "");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllLines(config, lines);
        return new Curl(config, directory);
    }

    /// <summary>
    /// Sends one request and checks its status. <paramref name="upload"/> is streamed from the file (<c>-T</c>; with
    /// <paramref name="chunked"/> as <c>Transfer-Encoding: chunked</c>, as docker sends a layer, otherwise with its
    /// Content-Length); the answer's body goes to <paramref name="output"/> (or to a scratch file, read for the error
    /// message when the status is not <paramref name="expectedStatus"/>). A reply over another protocol than HTTP/1.1 is
    /// an error too.
    /// </summary>
    public async Task<CurlOutcome> SendAsync(string method, Uri url, int expectedStatus, string? upload = null, string? output = null, bool chunked = false)
    {
        ArgumentNullException.ThrowIfNull(url);
        var body = output ?? Path.Combine(_directory, "curl-answer");
        var args = new List<string> { "-K", _config, "-X", method, "-D", "-", "-o", body, "-w", CurlReply.WriteOut };
        if (upload is not null)
        {
            args.AddRange(["-T", upload, "-H", "Content-Type: application/octet-stream"]);
            if (chunked)
            {
                args.AddRange(["-H", "Transfer-Encoding: chunked"]);
            }
        }

        args.Add(url.AbsoluteUri);
        var watch = Stopwatch.StartNew();
        CommandResult result;
        try
        {
            result = await CommandRunner.RunAsync("curl", args, Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new CurlOutcome(null, string.Create(CultureInfo.InvariantCulture, $"{method}: curl did not finish within {Timeout.TotalMinutes:0} min"), watch.Elapsed);
        }

        var elapsed = watch.Elapsed;
        var reply = CurlReply.Parse(result.StandardOutput);
        if (!result.Succeeded || reply is null)
        {
            return new CurlOutcome(reply, $"{method}: curl exit {result.ExitCode}: {LastLine(result.StandardError)}", elapsed);
        }

        if (reply.HttpVersion != "1.1")
        {
            return new CurlOutcome(reply, $"{method}: answered over HTTP/{reply.HttpVersion}, not HTTP/1.1", elapsed);
        }

        return reply.Status == expectedStatus
            ? new CurlOutcome(reply, null, elapsed)
            : new CurlOutcome(reply, string.Create(CultureInfo.InvariantCulture, $"{method}: {reply.Status} (expected {expectedStatus}) {Excerpt(body)}"), elapsed);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string LastLine(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";

    /// <summary>The start of an error answer's body (the registry's JSON error), on one line.</summary>
    private static string Excerpt(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[300];
            var read = reader.ReadBlock(buffer, 0, buffer.Length);
            return new string(buffer, 0, read).ReplaceLineEndings(" ").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
