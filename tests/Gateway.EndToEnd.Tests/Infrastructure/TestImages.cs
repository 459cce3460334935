using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Builds test images from random data, without any base image or registry.</summary>
public static class TestImages
{
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar";
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    // Relaxed escaping: "+" stays "+" in media types (the default encoder writes \u002B).
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes (or adds to) an OCI image layout in <paramref name="directory"/>: one uncompressed tar layer per
    /// size, each holding one file of that many random bytes (streamed to disk), an amd64/linux config and the
    /// manifest, tagged <paramref name="tag"/> in index.json. Copy it with skopeo as <c>oci:DIR:TAG</c>.
    /// </summary>
    public static async Task<OciImage> CreateOciLayoutAsync(string directory, string tag, params long[] layerSizes)
    {
        var blobs = Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256")).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""").ConfigureAwait(false);

        var layers = new List<(string Digest, long Size)>();
        for (var i = 0; i < layerSizes.Length; i++)
        {
            var temp = Path.Combine(blobs, $".tmp-{Guid.NewGuid():N}");
            await WriteTarAsync(temp, $"layer-{i}.bin", layerSizes[i]).ConfigureAwait(false);
            layers.Add(await MoveIntoStoreAsync(blobs, temp).ConfigureAwait(false));
        }

        var config = new JsonObject
        {
            ["created"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject(),
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray([.. layers.Select(l => (JsonNode)l.Digest)]),
            },
        };
        var (configDigest, configSize) = await WriteBlobAsync(blobs, config).ConfigureAwait(false);

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = Descriptor(ConfigMediaType, configDigest, configSize),
            ["layers"] = new JsonArray([.. layers.Select(l => (JsonNode)Descriptor(LayerMediaType, l.Digest, l.Size))]),
        };
        var (manifestDigest, manifestSize) = await WriteBlobAsync(blobs, manifest).ConfigureAwait(false);

        await AddToIndexAsync(directory, tag, manifestDigest, manifestSize).ConfigureAwait(false);
        return new OciImage(
            directory, tag, manifestDigest, configDigest,
            [.. layers.Select(l => l.Digest)], [.. layers.Select(l => l.Size)], [.. layers.Select(l => l.Digest)]);
    }

    /// <summary>Reads an image back from an OCI layout (e.g. one skopeo wrote).</summary>
    public static async Task<OciImage> ReadOciLayoutAsync(string directory, string tag)
    {
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "index.json")).ConfigureAwait(false))!;
        var entries = index["manifests"]!.AsArray();
        var entry = entries.FirstOrDefault(m => (string?)m!["annotations"]?[RefNameAnnotation] == tag)
            ?? (entries.Count == 1 ? entries[0] : null)
            ?? throw new InvalidOperationException($"No manifest tagged '{tag}' in {directory}/index.json");
        var manifestDigest = (string)entry!["digest"]!;
        var manifest = await ReadBlobAsync(directory, manifestDigest).ConfigureAwait(false);
        var configDigest = (string)manifest["config"]!["digest"]!;
        var config = await ReadBlobAsync(directory, configDigest).ConfigureAwait(false);
        var layers = manifest["layers"]!.AsArray();
        return new OciImage(
            directory,
            tag,
            manifestDigest,
            configDigest,
            [.. layers.Select(l => (string)l!["digest"]!)],
            [.. layers.Select(l => (long)l!["size"]!)],
            [.. config["rootfs"]!["diff_ids"]!.AsArray().Select(d => (string)d!)]);
    }

    /// <summary>A plain tar holding one file (data.bin) of <paramref name="size"/> random bytes, for <c>docker import</c>.</summary>
    public static Task CreateTarAsync(string path, long size) => WriteTarAsync(path, "data.bin", size);

    /// <summary>"sha256:" + hex digest of a file.</summary>
    public static async Task<string> DigestOfFileAsync(string path)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream).ConfigureAwait(false));
        }
    }

    /// <summary>"sha256:" + hex digest of bytes.</summary>
    public static string DigestOf(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private static async Task WriteTarAsync(string path, string entryName, long size)
    {
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            var writer = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                using var data = new RandomDataStream(size);
                var entry = new UstarTarEntry(TarEntryType.RegularFile, entryName)
                {
                    DataStream = data,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    ModificationTime = DateTimeOffset.UtcNow,
                    Uid = 0,
                    Gid = 0,
                };
                await writer.WriteEntryAsync(entry).ConfigureAwait(false);
            }
        }
    }

    private static async Task<(string Digest, long Size)> MoveIntoStoreAsync(string blobs, string tempPath)
    {
        var digest = await DigestOfFileAsync(tempPath).ConfigureAwait(false);
        var size = new FileInfo(tempPath).Length;
        File.Move(tempPath, Path.Combine(blobs, digest["sha256:".Length..]), overwrite: true);
        return (digest, size);
    }

    private static async Task<(string Digest, long Size)> WriteBlobAsync(string blobs, JsonNode json)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(json, Compact);
        var digest = DigestOf(bytes);
        await File.WriteAllBytesAsync(Path.Combine(blobs, digest["sha256:".Length..]), bytes).ConfigureAwait(false);
        return (digest, bytes.LongLength);
    }

    private static async Task<JsonNode> ReadBlobAsync(string directory, string digest) =>
        JsonNode.Parse(await File.ReadAllBytesAsync(Path.Combine(directory, "blobs", "sha256", digest["sha256:".Length..])).ConfigureAwait(false))!;

    private static JsonObject Descriptor(string mediaType, string digest, long size) => new()
    {
        ["mediaType"] = mediaType,
        ["digest"] = digest,
        ["size"] = size,
    };

    private static async Task AddToIndexAsync(string directory, string tag, string manifestDigest, long manifestSize)
    {
        var path = Path.Combine(directory, "index.json");
        var index = File.Exists(path)
            ? JsonNode.Parse(await File.ReadAllTextAsync(path).ConfigureAwait(false))!.AsObject()
            : new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray() };
        var manifests = index["manifests"]!.AsArray();
        foreach (var old in manifests.Where(m => (string?)m!["annotations"]?[RefNameAnnotation] == tag).ToList())
        {
            manifests.Remove(old);
        }

        var descriptor = Descriptor(ManifestMediaType, manifestDigest, manifestSize);
        descriptor["annotations"] = new JsonObject { [RefNameAnnotation] = tag };
        manifests.Add(descriptor);
        await File.WriteAllTextAsync(path, index.ToJsonString(Compact)).ConfigureAwait(false);
    }
}
