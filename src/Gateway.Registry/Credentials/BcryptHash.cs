using System.Security.Cryptography;

namespace Gateway.Registry.Credentials;

/// <summary>bcrypt as htpasswd writes it: <c>$2y$</c>, <c>$2a$</c> or <c>$2b$</c>, any cost.</summary>
public static class BcryptHash
{
    private const int HashLength = 60;

    /// <summary>The cost of a well-formed bcrypt hash, or null when it is not one.</summary>
    public static int? TryGetCost(string hash)
    {
        if (hash.Length != HashLength || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$')
        {
            return null;
        }

        if (hash[2] is not ('y' or 'a' or 'b'))
        {
            return null;
        }

        if (!char.IsAsciiDigit(hash[4]) || !char.IsAsciiDigit(hash[5]))
        {
            return null;
        }

        var cost = ((hash[4] - '0') * 10) + (hash[5] - '0');
        if (cost is < 4 or > 31)
        {
            return null;
        }

        for (var i = 7; i < HashLength; i++)
        {
            var c = hash[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || c == '/'))
            {
                return null;
            }
        }

        return cost;
    }

    /// <summary>
    /// Checks a password against a bcrypt hash. This is the expensive step the gateway's cache avoids;
    /// bcrypt's own comparison of the derived hash is constant-time.
    /// </summary>
    public static bool Verify(Secret password, string hash)
    {
        if (TryGetCost(hash) is null)
        {
            return false;
        }

        // bcrypt reads the first 72 bytes of the password, as htpasswd and nginx do.
        var text = System.Text.Encoding.UTF8.GetString(password.Utf8);
        try
        {
            return BCrypt.Net.BCrypt.Verify(text, hash, enhancedEntropy: false);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    /// <summary>A bcrypt hash of a random password that nobody knows, at the given cost.</summary>
    public static string CreateDummy(int cost)
    {
        Span<byte> random = stackalloc byte[24];
        RandomNumberGenerator.Fill(random);
        return BCrypt.Net.BCrypt.HashPassword(Convert.ToBase64String(random), cost).Replace("$2a$", "$2y$", StringComparison.Ordinal);
    }
}
