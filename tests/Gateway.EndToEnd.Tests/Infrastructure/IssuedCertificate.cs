using System.Security.Cryptography.X509Certificates;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>A leaf certificate (with its private key) and the PEM files written for it.</summary>
/// <param name="Certificate">The leaf, with private key.</param>
/// <param name="ChainPath">PEM: leaf followed by the intermediate.</param>
/// <param name="KeyPath">PEM: PKCS#8, unencrypted.</param>
public sealed record IssuedCertificate(X509Certificate2 Certificate, string ChainPath, string KeyPath);
