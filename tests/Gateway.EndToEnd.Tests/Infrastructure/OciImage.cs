namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>An image in an OCI image layout folder.</summary>
/// <param name="LayoutDirectory">The layout folder (oci-layout, index.json, blobs/).</param>
/// <param name="Tag">Its org.opencontainers.image.ref.name in index.json.</param>
/// <param name="ManifestDigest">sha256:… of the manifest blob.</param>
/// <param name="ConfigDigest">sha256:… of the config blob.</param>
/// <param name="LayerDigests">Digests of the layer blobs as stored (compressed or not).</param>
/// <param name="LayerSizes">Sizes of the layer blobs in bytes.</param>
/// <param name="DiffIds">The config's rootfs.diff_ids (digests of the uncompressed layers).</param>
public sealed record OciImage(
    string LayoutDirectory,
    string Tag,
    string ManifestDigest,
    string ConfigDigest,
    IReadOnlyList<string> LayerDigests,
    IReadOnlyList<long> LayerSizes,
    IReadOnlyList<string> DiffIds)
{
    /// <summary>skopeo reference: <c>oci:DIR:TAG</c>.</summary>
    public string Reference => $"oci:{LayoutDirectory}:{Tag}";

    /// <summary>Path of a blob in the layout.</summary>
    public string BlobPath(string digest) => Path.Combine(LayoutDirectory, "blobs", "sha256", digest["sha256:".Length..]);
}
