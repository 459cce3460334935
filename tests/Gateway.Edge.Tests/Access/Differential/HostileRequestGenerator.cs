using System.Text;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// Generates hostile registry requests from a seed: valid routes bent with path encodings, dot segments, case,
/// Unicode, <c>;</c> and <c>?</c> tricks; query and body parameters (<c>from</c>, <c>mount</c>, …) in every spelling;
/// Content-Type values Go and ASP.NET read differently; repeated and folded headers; chunked and Content-Length
/// bodies, broken ones included; every method; HTTP/1.0, 1.1 and 2. Most requests carry alice's valid credentials so
/// that they reach the gate's decision, and whatever it lets through reaches the oracle.
/// </summary>
public sealed class HostileRequestGenerator(int seed, string authority, string authorization)
{
    /// <summary>A digest of the right shape (the blob alice must never mount from bob).</summary>
    public const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly string[] Repositories =
        ["alice/app", "bob/private", "a", "x/y/z", "a-b/c_d.e", "library/alpine", "alice/blobs/uploads", "alice/manifests", "alice/app/manifests/x", "alice/tags/list", "alice/_catalog", "a__b/c--d"];

    private static readonly string[] References =
        ["latest", "v1.0", Digest, "a:b", "sha256:abc", "UPPER", "-x", ".x", "a..b", new string('t', 129), "x/y", "sha512:" + new string('a', 128), "A_b-C.d"];

    private static readonly string[] Digests =
        [Digest, "sha256:abc", "SHA256:" + Digest[7..], "sha256:" + Digest[7..].ToUpperInvariant(), "tarsum.v1+sha256:" + Digest[7..], "latest", "sha256-" + Digest[7..]];

    private static readonly string[] UploadIds = ["0f3a7c1e-aaaa-bbbb-cccc-123456789abc", "abc=", "a.b_c-d", "a+b", "x:y"];

    private static readonly string[] Unicode = ["\u00e4", "\u212a", "\u0130", "\uff0f", "\u2024", "\u00a0", "\u0085", "\u00ad", "\ufb01", "\u0000"];

    private static readonly string[] ContentTypes =
    [
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded;;", "application/x-www-form-urlencoded; a=\"",
        "application/x-www-form-urlencoded; a=b c", "application/x-www-form-urlencoded; =x", "application/x-www-form-urlencoded;charset=\"utf-8",
        "APPLICATION/X-WWW-FORM-URLENCODED", " application/x-www-form-urlencoded ", "\tapplication/x-www-form-urlencoded\t;",
        "application/x-www-form-urlencoded, application/octet-stream", "application/octet-stream, application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded\u00a0", "\u00a0application/x-www-form-urlencoded", "application/x-www-form-urlencoded\u0085",
        "multipart/form-data; boundary=XyZ", "multipart/form-data", "Multipart/Form-Data; boundary=\"XyZ\"", "multipart/form-data;boundary=XyZ;;",
        "multipart/mixed; boundary=XyZ", "application/octet-stream", "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "text/plain", "", "application/x-www-form-urlencodedx", "application/x-www-form-urlencoded/x",
        "application /x-www-form-urlencoded", "application/x-www-form-urlencoded (comment)",
    ];

    private static readonly string[] FromKeys = ["from", "from", "from", "FROM", "From", "fr%6Fm", "%66rom", "fro%6d", "from%20", "from+", " from", "from%00"];

    private static readonly string[] FromValues =
        ["bob/private", "bob/private", "bob%2Fprivate", "bob%2fprivate", "bob/private;", "bob/priv%61te", "bob+private", "bob/private%zz", "bob/private%00", "", "alice/app", "Bob/Private", "bob/private#x", "bob/private?x", "%62ob/private", "bob/./private", "bob//private"];

    /// <summary>
    /// The header line the fuzzer puts in every later request of a pipelined series, <c>.2</c>, <c>.3</c> appended; the
    /// harness replaces <c>{fuzz-id}</c> with the series' id (and tags the first request itself).
    /// </summary>
    public const string IdLine = "X-Fuzz-Id: {fuzz-id}";

    private readonly Random _random = new(seed);
    private readonly List<string> _tags = [];

    /// <summary>The next request.</summary>
    public HostileRequest Next()
    {
        _tags.Clear();
        var method = Method();
        var path = Path();
        var query = Query();
        var target = query is null ? path : path + "?" + query;
        var (contentTypes, body, bodyTag) = Body(method);
        var extra = ExtraHeaders();
        var auth = Chance(0.93) ? authorization : Pick(["", "Basic !!!", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:wrong")), "Bearer x"]);
        if (auth != authorization)
        {
            Tag("auth-bad");
        }

        if (Chance(0.18))
        {
            Tag("h2");
            return Http2(method, target, contentTypes, body, extra, auth);
        }

        return Http1(method, target, contentTypes, body, extra, auth, bodyTag);
    }

    private HostileRequest Http1(string method, string target, List<string> contentTypes, byte[] body, List<(string, string)> extra, string auth, string bodyTag)
    {
        var version = Chance(0.05) ? "HTTP/1.0" : "HTTP/1.1";
        if (version == "HTTP/1.0")
        {
            Tag("http10");
        }

        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(' ').Append(version).Append("\r\n");
        var host = Chance(0.9) ? authority : Pick(["", "evil.example", "127.0.0.1:1", "a b", authority + "\r\nHost: evil.example"]);
        if (host != authority)
        {
            Tag("host");
        }

        if (!(version == "HTTP/1.0" && Chance(0.5)) && !Chance(0.02))
        {
            head.Append("Host: ").Append(host).Append("\r\n");
        }
        else
        {
            Tag("no-host");
        }

        if (auth.Length > 0)
        {
            head.Append("Authorization: ").Append(auth).Append("\r\n");
        }

        foreach (var contentType in contentTypes)
        {
            var name = Chance(0.85) ? "Content-Type" : Pick(["content-type", "CONTENT-TYPE", "Content-type", "Content_Type", "Content-Type ", " Content-Type"]);
            if (Chance(0.04))
            {
                // obs-fold: a continuation line Go 1.19 still joins.
                head.Append(name).Append(": text/plain\r\n ").Append(contentType).Append("\r\n");
                Tag("fold");
            }
            else
            {
                head.Append(name).Append(": ").Append(contentType).Append("\r\n");
            }
        }

        foreach (var (name, value) in extra)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        var halfClose = false;
        var pipelined = false;
        byte[] framed;
        var framing = body.Length == 0 ? (Chance(0.8) ? "none" : Pick(["cl0", "chunked-empty"])) : Pick(["cl", "cl", "chunked", "chunked", "chunked-ext", "chunked-bad", "cl-short", "cl-and-te", "te-variant", "smuggle"]);
        Tag("frame-" + framing);
        switch (framing)
        {
            case "none":
                framed = [];
                break;
            case "cl0":
                head.Append("Content-Length: 0\r\n");
                framed = [];
                break;
            case "chunked-empty":
                head.Append("Transfer-Encoding: chunked\r\n");
                framed = Encoding.ASCII.GetBytes("0\r\n\r\n");
                break;
            case "cl":
                head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                framed = body;
                break;
            case "chunked":
            case "chunked-ext":
                head.Append("Transfer-Encoding: chunked\r\n");
                framed = Chunked(body, framing == "chunked-ext" ? ";ext=\"1\"" : string.Empty, null);
                break;
            case "chunked-bad":
                head.Append("Transfer-Encoding: chunked\r\n");
                framed = Chunked(body, string.Empty, Pick(["-1", "ffffffffffffffffffff", "zz", "0x10", " 5", "5 5", "+5", "1_0"]));
                halfClose = true;
                break;
            case "cl-short":
                head.Append("Content-Length: ").Append(body.Length + 10).Append("\r\n");
                framed = body;
                halfClose = true;
                break;
            case "cl-and-te":
                head.Append("Content-Length: ").Append(body.Length + 5).Append("\r\nTransfer-Encoding: chunked\r\n");
                framed = Chunked(body, string.Empty, null);
                halfClose = true;
                break;
            case "te-variant":
                head.Append("Transfer-Encoding: ").Append(Pick(["Chunked", "chunked, identity", "identity, chunked", " chunked", "x-chunked", "chunked\r\nTransfer-Encoding: chunked"])).Append("\r\n");
                framed = Chunked(body, string.Empty, null);
                halfClose = true;
                break;
            default: // smuggle: a second request hidden in the first one's body, then a last one that closes
                head.Append("Content-Length: 0\r\n");
                var hidden = $"POST /v2/alice/app/blobs/uploads/?from=bob/private&mount={Digest} HTTP/1.1\r\n{IdLine}.2\r\nHost: {authority}\r\nAuthorization: {authorization}\r\nContent-Length: 0\r\n\r\nGET /v2/ HTTP/1.1\r\n{IdLine}.3\r\nHost: {authority}\r\nAuthorization: {authorization}\r\nConnection: close\r\n\r\n";
                framed = Encoding.UTF8.GetBytes(hidden);
                pipelined = true;
                break;
        }

        if (Chance(0.03))
        {
            head.Append("Expect: 100-continue\r\n");
            Tag("expect");
        }

        head.Append("\r\n");
        var bytes = Encoding.UTF8.GetBytes(head.ToString()).Concat(framed).ToArray();
        return new HostileRequest(WireProtocol.Http1, bytes, null, halfClose, pipelined, [.. _tags, bodyTag]);
    }

    private HostileRequest Http2(string method, string target, List<string> contentTypes, byte[] body, List<(string, string)> extra, string auth)
    {
        var headers = new List<(string, string)>();
        if (auth.Length > 0)
        {
            headers.Add(("authorization", auth));
        }

        foreach (var contentType in contentTypes)
        {
            headers.Add((Chance(0.95) ? "content-type" : "Content-Type", contentType));
        }

        foreach (var (name, value) in extra)
        {
            headers.Add((name.ToLowerInvariant(), value));
        }

        if (body.Length > 0 && Chance(0.5))
        {
            headers.Add(("content-length", Chance(0.9) ? body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "1"));
        }

        var authorityValue = Chance(0.93) ? authority : Pick<string?>([null, "", "evil.example"]);
        if (authorityValue != authority)
        {
            Tag("h2-authority");
        }

        return new HostileRequest(WireProtocol.Http2, null, new H2Request(method, target, authorityValue, headers, body), false, false, [.. _tags]);
    }

    private string Method()
    {
        var method = Pick(["GET", "GET", "HEAD", "POST", "POST", "POST", "PUT", "PATCH", "DELETE"]);
        if (Chance(0.05))
        {
            Tag("method-odd");
            method = Pick(["get", "Post", "OPTIONS", "TRACE", "CONNECT", "FOO", "PROPFIND", "MOVE"]);
        }

        return method;
    }

    private string Path()
    {
        var repo = Pick(Repositories);
        var path = Pick(
        [
            "/v2/", "/v2", "/v2/_catalog",
            $"/v2/{repo}/tags/list",
            $"/v2/{repo}/manifests/{Pick(References)}", $"/v2/{repo}/manifests/{Pick(References)}",
            $"/v2/{repo}/blobs/{Pick(Digests)}",
            $"/v2/{repo}/blobs/uploads/", $"/v2/{repo}/blobs/uploads/", $"/v2/{repo}/blobs/uploads/", $"/v2/{repo}/blobs/uploads",
            $"/v2/{repo}/blobs/uploads/{Pick(UploadIds)}",
            $"/v2/{repo}/referrers/{Digest}",
        ]);
        var mutations = Chance(0.55) ? 0 : _random.Next(1, 3);
        for (var i = 0; i < mutations; i++)
        {
            path = MutatePath(path);
        }

        return path;
    }

    private string MutatePath(string path)
    {
        var at = _random.Next(4, Math.Max(5, path.Length));
        at = Math.Min(at, path.Length);
        switch (_random.Next(14))
        {
            case 0:
                Tag("path-pct");
                var c = path[Math.Min(at, path.Length - 1)];
                return path[..Math.Min(at, path.Length - 1)] + "%" + ((int)c).ToString(Chance(0.5) ? "X2" : "x2", System.Globalization.CultureInfo.InvariantCulture) + path[(Math.Min(at, path.Length - 1) + 1)..];
            case 1:
                Tag("path-pct-slash");
                var slash = path.IndexOf('/', Math.Min(4, path.Length));
                return slash < 0 ? path : path[..slash] + Pick(["%2F", "%2f", "%252F"]) + path[(slash + 1)..];
            case 2:
                Tag("path-dslash");
                return path[..at] + "/" + path[at..];
            case 3:
                Tag("path-dot");
                var s = path.IndexOf('/', at);
                return s < 0 ? path + Pick(["/.", "/.."]) : path[..s] + Pick(["/.", "/..", "/./x/..", "/%2e", "/%2e%2e", "/.%2e"]) + path[s..];
            case 4:
                Tag("path-trail");
                return path + "/";
            case 5:
                Tag("path-case");
                return path[..at] + path[at..].ToUpperInvariant();
            case 6:
                Tag("path-unicode");
                return path[..at] + Pick(Unicode) + path[at..];
            case 7:
                Tag("path-semicolon");
                var seg = path.IndexOf('/', at);
                return seg < 0 ? path + ";x=y" : path[..seg] + Pick([";", ";x=y", ";jsessionid=1"]) + path[seg..];
            case 8:
                Tag("path-qmark");
                return path[..at] + Pick(["%3F", "%3f", "?"]) + path[at..];
            case 9:
                Tag("path-hash");
                return path[..at] + Pick(["#", "%23"]) + path[at..];
            case 10:
                Tag("path-bslash");
                return path[..at] + Pick(["\\", "%5C"]) + path[at..];
            case 11:
                Tag("path-prefix");
                return Pick(["/V2", "/v2/.", "//v2", "/x/../v2", "http://" + authority + "/v2", "/v2%2F"]) + path[3..];
            case 12:
                Tag("path-ws");
                return path[..at] + Pick(["\t", " ", "\u000b", "\u000c"]) + path[at..];
            default:
                Tag("path-keyword");
                return path.Replace("/blobs/", Pick(["/blobs/uploads/../", "/Blobs/", "/blobs//", "/manifests/"]), StringComparison.Ordinal);
        }
    }

    private string? Query()
    {
        if (Chance(0.4))
        {
            return Chance(0.05) ? string.Empty : null;
        }

        var pairs = new List<string>();
        var count = _random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            switch (_random.Next(9))
            {
                case 0:
                case 1:
                case 2:
                    var key = Pick(FromKeys);
                    var value = Pick(FromValues);
                    if (key != "from")
                    {
                        Tag("q-from-key");
                    }

                    if (value != "bob/private")
                    {
                        Tag("q-from-value");
                    }

                    pairs.Add(Chance(0.05) ? key : key + "=" + value);
                    Tag("q-from");
                    break;
                case 3:
                    pairs.Add("mount=" + Pick([Digest, Digest.Replace(":", "%3A", StringComparison.Ordinal), "sha256:abc", ""]));
                    Tag("q-mount");
                    break;
                case 4:
                    pairs.Add("digest=" + Pick([Digest, Digest.Replace(":", "%3A", StringComparison.Ordinal)]));
                    Tag("q-digest");
                    break;
                case 5:
                    pairs.Add("_state=" + Pick(["abc", "eyJuYW1lIjoiYm9iL3ByaXZhdGUifQ%3D%3D", "a%zz"]));
                    Tag("q-state");
                    break;
                case 6:
                    pairs.Add(Pick(["n=10", "last=a", "x=%zz", "x", "=", "==", "a=b=c", "x=1;from=bob/private", "%zz=1"]));
                    Tag("q-misc");
                    break;
                case 7:
                    pairs.Add(Pick(["from=alice/app&from=bob/private", "from=bob/private&from=alice/app", "from=%zz&from=bob/private"]));
                    Tag("q-from-dup");
                    break;
                default:
                    pairs.Add(Pick(["x=" + Pick(Unicode), "x=a b", "x=\"", "x=<>", "x={}", "x=|^`", "x=%", "x=%4", "x=#y", "x=a?b"]));
                    Tag("q-chars");
                    break;
            }
        }

        var separator = Chance(0.9) ? "&" : Pick([";", "&&", "&;", "%26"]);
        if (separator != "&")
        {
            Tag("q-sep");
        }

        var query = string.Join(separator, pairs);
        return Chance(0.05) ? "&" + query + "&" : query;
    }

    private (List<string> ContentTypes, byte[] Body, string Tag) Body(string method)
    {
        var contentTypes = new List<string>();
        var kind = Chance(0.45) ? "none" : Pick(["form", "form", "multipart", "bytes", "json"]);
        byte[] body = kind switch
        {
            "form" => Encoding.ASCII.GetBytes(Pick([$"from=bob/private&mount={Digest}", $"mount={Digest}&from=bob%2Fprivate", "from=bob/private", $"FROM=bob/private&mount={Digest}", $"x=1;from=bob/private&mount={Digest}"])),
            "multipart" => Encoding.ASCII.GetBytes($"--XyZ\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nbob/private\r\n--XyZ\r\nContent-Disposition: form-data; name=\"mount\"\r\n\r\n{Digest}\r\n--XyZ--\r\n"),
            "bytes" => RandomBytes(),
            "json" => Encoding.ASCII.GetBytes("{\"schemaVersion\":2}"),
            _ => [],
        };

        if (kind != "none" || Chance(0.3))
        {
            contentTypes.Add(kind switch
            {
                "form" when Chance(0.7) => Pick(ContentTypes[..14]),
                "multipart" when Chance(0.7) => Pick(ContentTypes[14..19]),
                _ => Pick(ContentTypes),
            });
            if (Chance(0.12))
            {
                contentTypes.Insert(Chance(0.5) ? 0 : 1, Pick(["application/octet-stream", "text/plain", Pick(ContentTypes)]));
                Tag("ct-dup");
            }
        }

        if (contentTypes.Count > 0)
        {
            Tag("ct");
        }

        return (contentTypes, body, "body-" + kind);
    }

    private List<(string, string)> ExtraHeaders()
    {
        var headers = new List<(string, string)>();
        if (Chance(0.08))
        {
            headers.Add(Pick<(string, string)>([("X-HTTP-Method-Override", "PUT"), ("X-Forwarded-Host", "evil.example"), ("Forwarded", "for=1.2.3.4;host=evil"), ("X-Original-URL", "/v2/bob/private/blobs/" + Digest), ("X-Rewrite-URL", "/v2/bob/private/tags/list"), ("Connection", "close"), ("Connection", "keep-alive, Content-Type"), ("Upgrade", "h2c"), ("Range", "bytes=0-1")]));
            Tag("hdr-extra");
        }

        return headers;
    }

    private static byte[] Chunked(byte[] body, string extension, string? badSize)
    {
        var output = new MemoryStream();
        var half = body.Length / 2;
        foreach (var part in new[] { body[..half], body[half..] })
        {
            if (part.Length == 0)
            {
                continue;
            }

            output.Write(Encoding.ASCII.GetBytes((badSize ?? part.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture)) + extension + "\r\n"));
            output.Write(part);
            output.Write("\r\n"u8);
            badSize = null;
        }

        output.Write("0\r\n\r\n"u8);
        return output.ToArray();
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(1, 64)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private void Tag(string tag)
    {
        if (!_tags.Contains(tag))
        {
            _tags.Add(tag);
        }
    }

    private bool Chance(double p) => _random.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
