using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Tests.Support;

/// <summary>
/// A <see cref="FakeBackend"/> handler that answers manifests and blob <c>HEAD</c>s the way registry 2.8.2 does
/// (headers, 404 <c>MANIFEST_UNKNOWN</c>/<c>BLOB_UNKNOWN</c>, <c>DELETE</c> answered 202), per repository.
/// </summary>
public sealed class ContentRegistryDouble
{
    public const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";

    private readonly ConcurrentDictionary<(string Repository, string Digest), byte[]> _manifests = new();
    private readonly ConcurrentDictionary<(string Repository, string Digest), long> _blobs = new();

    /// <summary>Puts a manifest into a repository; returns its digest.</summary>
    public string AddManifest(string repository, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var digest = DigestOf(bytes);
        _manifests[(repository, digest)] = bytes;
        return digest;
    }

    /// <summary>Links a blob into a repository.</summary>
    public void AddBlob(string repository, string digest, long size) => _blobs[(repository, digest)] = size;

    /// <summary>Removes a manifest behind the gateway's back (an out-of-band garbage collection).</summary>
    public void RemoveManifest(string repository, string digest) => _manifests.TryRemove((repository, digest), out _);

    public static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string RandomDigest() => "sha256:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
        var parts = context.Request.Path.Value!.Split('/');
        var kindAt = Array.FindLastIndex(parts, p => p is "manifests" or "blobs");
        var repository = string.Join('/', parts[2..kindAt]);
        var digest = parts[kindAt + 1];
        var method = context.Request.Method;
        if (parts[kindAt] == "manifests")
        {
            if (HttpMethods.IsDelete(method))
            {
                response.StatusCode = _manifests.TryRemove((repository, digest), out _) ? 202 : 404;
                return;
            }

            if (!_manifests.TryGetValue((repository, digest), out var body))
            {
                await UnknownAsync(response, "MANIFEST_UNKNOWN", "manifest unknown");
                return;
            }

            response.ContentType = ManifestType;
            response.ContentLength = body.Length;
            response.Headers["Docker-Content-Digest"] = digest;
            response.Headers.ETag = $"\"{digest}\"";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            if (HttpMethods.IsGet(method))
            {
                await response.Body.WriteAsync(body);
            }

            return;
        }

        if (HttpMethods.IsDelete(method))
        {
            response.StatusCode = _blobs.TryRemove((repository, digest), out _) ? 202 : 404;
            return;
        }

        if (!_blobs.TryGetValue((repository, digest), out var size))
        {
            await UnknownAsync(response, "BLOB_UNKNOWN", "blob unknown to registry");
            return;
        }

        response.ContentType = "application/octet-stream";
        response.ContentLength = size;
        response.Headers["Docker-Content-Digest"] = digest;
        response.Headers.ETag = $"\"{digest}\"";
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "max-age=31536000";
    }

    private static Task UnknownAsync(HttpResponse response, string code, string message)
    {
        response.StatusCode = 404;
        response.ContentType = "application/json; charset=utf-8";
        return response.WriteAsync($"{{\"errors\":[{{\"code\":\"{code}\",\"message\":\"{message}\",\"detail\":null}}]}}\n");
    }
}
