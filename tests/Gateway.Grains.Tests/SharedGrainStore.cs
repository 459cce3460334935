using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Gateway.Grains.Tests;

/// <summary>
/// Grain storage every silo of the test cluster shares, as they share Redis in production: records serialized with
/// Orleans' own serializer, ETags checked as Redis grain storage checks them, and the records there open to a test
/// (how many, which), so a test can show what the grains leave behind.
/// </summary>
public sealed class SharedGrainStore
{
    private readonly ConcurrentDictionary<string, (string ETag, byte[] Data)> _records = new(StringComparer.Ordinal);

    /// <summary>How many records are stored.</summary>
    public int Count => _records.Count;

    /// <summary>The keys of the stored records (<c>grain type/grain id</c>).</summary>
    public IReadOnlyList<string> Keys => _records.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The storage provider for one silo (with that silo's serializer).</summary>
    public IGrainStorage For(Serializer serializer) => new Provider(this, serializer);

    private sealed class Provider(SharedGrainStore store, Serializer serializer) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (store._records.TryGetValue(Key(stateName, grainId), out var record))
            {
                grainState.State = serializer.Deserialize<T>(record.Data);
                grainState.ETag = record.ETag;
                grainState.RecordExists = true;
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = Key(stateName, grainId);
            var data = serializer.SerializeToArray(grainState.State);
            var etag = Guid.NewGuid().ToString("N");
            lock (store._records)
            {
                var stored = store._records.TryGetValue(key, out var record) ? record.ETag : null;
                if (stored != grainState.ETag)
                {
                    throw new InconsistentStateException($"ETag mismatch for {key}", stored, grainState.ETag);
                }

                store._records[key] = (etag, data);
            }

            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            lock (store._records)
            {
                store._records.TryRemove(Key(stateName, grainId), out _);
            }

            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = Activator.CreateInstance<T>();
            return Task.CompletedTask;
        }

        private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";
    }
}
