using System.Globalization;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Edits htpasswd files with the real <c>htpasswd</c> (apache2-utils), bcrypt (<c>-B -C cost</c>).
/// Note: htpasswd rewrites the file in place (same inode), it does not rename a new file over it.
/// </summary>
public static class Htpasswd
{
    /// <summary>bcrypt's minimum; fast enough for tests.</summary>
    public const int MinimumCost = 4;

    /// <summary>Creates (or truncates) <paramref name="path"/> with the given users; with none, an empty file.</summary>
    public static async Task CreateAsync(string path, int cost, params (string User, string Password)[] users)
    {
        if (users.Length == 0)
        {
            await File.WriteAllTextAsync(path, "").ConfigureAwait(false);
            return;
        }

        await RunAsync(["-c", "-B", "-C", Cost(cost), "-b", path, users[0].User, users[0].Password]).ConfigureAwait(false);
        foreach (var (user, password) in users.Skip(1))
        {
            await AddOrUpdateAsync(path, cost, user, password).ConfigureAwait(false);
        }
    }

    public static Task AddOrUpdateAsync(string path, int cost, string user, string password) =>
        RunAsync(["-B", "-C", Cost(cost), "-b", path, user, password]);

    public static Task RemoveUserAsync(string path, string user) => RunAsync(["-D", path, user]);

    private static string Cost(int cost) => cost.ToString(CultureInfo.InvariantCulture);

    private static async Task RunAsync(string[] args) =>
        (await CommandRunner.RunAsync("htpasswd", args, TimeSpan.FromSeconds(60)).ConfigureAwait(false)).EnsureSuccess();
}
