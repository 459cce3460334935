using System.Security.Cryptography;
using Gateway.Contracts;

namespace Gateway.Grains;

/// <summary>
/// The verifications in flight for one user: each is a ticket handed to one edge; requests with the same credential
/// wait for that one result instead of verifying again (one bcrypt or one directory bind for a burst of first
/// requests), and a ticket whose edge never reports frees its slot after <see cref="Timeout"/>. Reports are answered
/// once: a retried report gets the decision of the first.
/// </summary>
internal sealed class VerificationCoalescer(TimeProvider time)
{
    /// <summary>How long a request waits for a concurrent verification before it decides again.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Decisions remembered for retried reports.</summary>
    private const int MaxRemembered = 256;

    private readonly List<Ticket> _pending = [];
    private readonly Dictionary<Guid, CredentialDecision> _reported = [];

    /// <summary>Verifications in flight.</summary>
    public int Count => _pending.Count;

    /// <summary>The oldest verification in flight, if any.</summary>
    public Ticket? First => _pending.Count > 0 ? _pending[0] : null;

    /// <summary>A verification of the same credential in flight (expired ones are released first), or null.</summary>
    public Ticket? FindSame(byte[] fingerprint, DateTimeOffset now)
    {
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var candidate = _pending[i];
            if (candidate.Deadline <= now)
            {
                Release(candidate, null);
                continue;
            }

            if (CryptographicOperations.FixedTimeEquals(candidate.Fingerprint, fingerprint))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>How many verifications are in flight from <paramref name="address"/>, and the first of them.</summary>
    public (int Count, Ticket? First) From(string address)
    {
        var count = 0;
        Ticket? first = null;
        foreach (var p in _pending)
        {
            if (p.Address == address)
            {
                count++;
                first ??= p;
            }
        }

        return (count, first);
    }

    /// <summary>Hands out a new ticket.</summary>
    public Ticket Open(byte[] fingerprint, string address, DateTimeOffset now, bool graceable)
    {
        var ticket = new Ticket(Guid.NewGuid(), fingerprint, address, now + Timeout, graceable);
        _pending.Add(ticket);
        return ticket;
    }

    /// <summary>Takes the ticket of a report out of the pending list (null when it timed out or never was).</summary>
    public Ticket? Close(Guid id)
    {
        var ticket = _pending.Find(p => p.Id == id);
        if (ticket is not null)
        {
            _pending.Remove(ticket);
        }

        return ticket;
    }

    /// <summary>Waits for <paramref name="ticket"/>'s result: true, false, or null when it timed out (its slot is freed).</summary>
    public async Task<bool?> WaitAsync(Ticket ticket, DateTimeOffset now)
    {
        try
        {
            return await ticket.Completion.Task.WaitAsync(ticket.Deadline - now, time);
        }
        catch (TimeoutException)
        {
            // The edge that verifies went away without reporting: its slot is free again.
            Release(ticket, null);
            return null;
        }
    }

    /// <summary>Ends a ticket: waiters get <paramref name="result"/> (null: decide again).</summary>
    public void Release(Ticket ticket, bool? result)
    {
        _pending.Remove(ticket);
        ticket.Completion.TrySetResult(result);
    }

    /// <summary>The decision already answered to the report of <paramref name="id"/>, if it was reported before.</summary>
    public bool TryGetReported(Guid id, out CredentialDecision decision) => _reported.TryGetValue(id, out decision!);

    /// <summary>Remembers the decision answered to the report of <paramref name="id"/>.</summary>
    public void Remember(Guid id, CredentialDecision decision)
    {
        if (_reported.Count >= MaxRemembered)
        {
            _reported.Clear();
        }

        _reported[id] = decision;
    }

    /// <summary>One verification in flight.</summary>
    public sealed class Ticket(Guid id, byte[] fingerprint, string address, DateTimeOffset deadline, bool graceable)
    {
        /// <summary>The ticket handed to the edge.</summary>
        public Guid Id { get; } = id;

        /// <summary>The credential being verified.</summary>
        public byte[] Fingerprint { get; } = fingerprint;

        /// <summary>The client address it came from.</summary>
        public string Address { get; } = address;

        /// <summary>When it is given up.</summary>
        public DateTimeOffset Deadline { get; } = deadline;

        /// <summary>True when the credential is the cached one within its outage grace (an unavailable source still allows it).</summary>
        public bool Graceable { get; } = graceable;

        /// <summary>Completed with the result when the edge reports (null: timed out).</summary>
        public TaskCompletionSource<bool?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
