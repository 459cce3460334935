using Gateway.Edge.Access.Identify.Federation;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

public sealed class FederatedLoginJournalTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Record_ManyLoginsOfOneAccount_KeepsTheLatestNewestFirst()
    {
        var journal = new FederatedLoginJournal();
        for (var i = 0; i < FederatedLoginJournal.PerAccount + 5; i++)
        {
            journal.Record("ci/a", new(Start.AddSeconds(i), "https://issuer", null, null));
        }

        var recent = journal.Recent("ci/a");
        Assert.Equal(FederatedLoginJournal.PerAccount, recent.Count);
        Assert.Equal(Start.AddSeconds(FederatedLoginJournal.PerAccount + 4), recent[0].At);
    }

    [Fact]
    public void Record_MoreAccountsThanKept_ForgetsTheLeastRecentlySeen()
    {
        var journal = new FederatedLoginJournal();
        journal.Record("ci/first", new(Start, "https://issuer", null, null));
        journal.Record("ci/kept", new(Start, "https://issuer", null, null));
        for (var i = 0; i < FederatedLoginJournal.MaxAccounts - 2; i++)
        {
            journal.Record($"ci/n{i}", new(Start, "https://issuer", null, null));
        }

        journal.Record("ci/kept", new(Start.AddSeconds(1), "https://issuer", null, null));
        journal.Record("ci/one-more", new(Start, "https://issuer", null, null));

        Assert.Empty(journal.Recent("ci/first"));
        Assert.Equal(2, journal.Recent("ci/kept").Count);
    }
}
