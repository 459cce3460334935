using System.Globalization;

namespace Gateway.Benchmarks.Load;

/// <summary>
/// What one curl command reported on its standard output: the response headers (<c>-D -</c>) and the write-out line
/// (<see cref="WriteOut"/>). Only the last response counts: curl also prints the interim <c>HTTP/1.1 100 Continue</c> it
/// gets after its <c>Expect: 100-continue</c> on a large upload.
/// </summary>
/// <param name="Status">The final response's status code (0 when no response came).</param>
/// <param name="HttpVersion">The protocol version curl used, as <c>%{http_version}</c> prints it ("1.1", "2").</param>
/// <param name="Headers">The final response's headers, names case-insensitive (the last value of a repeated header).</param>
/// <param name="UploadedBytes">Request body bytes sent (<c>%{size_upload}</c>).</param>
/// <param name="DownloadedBytes">Response body bytes received (<c>%{size_download}</c>).</param>
/// <param name="TotalSeconds">curl's own measure of the transfer (<c>%{time_total}</c>).</param>
public sealed record CurlReply(int Status, string HttpVersion, IReadOnlyDictionary<string, string> Headers, long UploadedBytes, long DownloadedBytes, double TotalSeconds)
{
    /// <summary>The marker of the write-out line.</summary>
    public const string Marker = "curl-result:";

    /// <summary>curl's <c>-w</c> argument: one line after the headers, <see cref="Marker"/> followed by the fields <see cref="Parse"/> reads.</summary>
    public const string WriteOut = "\\n" + Marker + " %{http_code} %{http_version} %{size_upload} %{size_download} %{time_total}\\n";

    /// <summary>
    /// Reads curl's standard output (headers, then the write-out line); null when the write-out line is missing or
    /// malformed (curl failed before it could print it).
    /// </summary>
    public static CurlReply? Parse(string standardOutput)
    {
        ArgumentNullException.ThrowIfNull(standardOutput);
        var lines = standardOutput.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var result = lines.FindLastIndex(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (result < 0)
        {
            return null;
        }

        var fields = lines[result][Marker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5
            || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var status)
            || !long.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var uploaded)
            || !long.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var downloaded)
            || !double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }

        // The last header block before the write-out line: it starts with the last status line.
        var start = lines.FindLastIndex(result, l => l.StartsWith("HTTP/", StringComparison.Ordinal));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = start + 1; start >= 0 && i < result; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
            }
        }

        return new CurlReply(status, fields[1], headers, uploaded, downloaded, seconds);
    }
}
