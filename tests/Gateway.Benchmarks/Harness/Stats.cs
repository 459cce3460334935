namespace Gateway.Benchmarks.Harness;

/// <summary>Medians, ranges and percentiles over rounds or samples (NaN values are left out).</summary>
public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static (double Min, double Max) Range(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        return list.Count == 0 ? (double.NaN, double.NaN) : (list.Min(), list.Max());
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0–1) of <paramref name="values"/>; NaN when there are none.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
