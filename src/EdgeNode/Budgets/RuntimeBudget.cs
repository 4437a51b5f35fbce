using System.Collections;
using System.Globalization;
using EPostEdge.EdgeNode.Configuration;

namespace EPostEdge.EdgeNode.Budgets;

/// <summary>
/// The parts of a hw-profile's budget that the runtime takes only from outside or only once:
/// the GC heap hard limit (read from DOTNET_GCHeapHardLimit when the runtime starts, so
/// <c>run</c> re-executes itself with it: same PID, same arguments, one more variable) and the
/// thread pool's bounds.
/// </summary>
public static class RuntimeBudget
{
    /// <summary>The GC's setting (docs: "Runtime configuration options for garbage collection"), a hexadecimal byte count.</summary>
    public const string HeapLimitVariable = "DOTNET_GCHeapHardLimit";

    /// <summary>
    /// The environment to re-execute with so that the GC gets <paramref name="limitBytes"/>; null
    /// when there is nothing to do: no limit in the profile, or the variable is already set (by
    /// an earlier re-execution, or by whoever started the node: the environment outranks the
    /// profile, as for every other setting).
    /// </summary>
    public static Dictionary<string, string>? ReexecEnvironment(long? limitBytes, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (limitBytes is not { } limit || environment[HeapLimitVariable] is string { Length: > 0 })
        {
            return null;
        }

        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                next[name] = value;
            }
        }

        next[HeapLimitVariable] = Hex(limit);
        return next;
    }

    /// <summary>The variable's form: hexadecimal digits without a prefix ("8000000" = 128 MiB).</summary>
    public static string Hex(long bytes) => bytes.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>Reads the variable's value back ("0x" allowed); false when it is not hexadecimal.</summary>
    public static bool TryParseHex(string? text, out long bytes)
    {
        bytes = 0;
        var digits = text?.Trim() ?? string.Empty;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        return digits.Length > 0 && long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes);
    }

    /// <summary>
    /// Sets the thread pool's bounds from <paramref name="budget"/> (0 leaves the runtime's); returns
    /// what is in force, in words. The maximum cannot go below the core count (the runtime refuses).
    /// </summary>
    public static string ApplyThreadPool(BudgetOptions budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.GetMaxThreads(out var maxWorkers, out var maxIo);
        if (budget.MaxThreads > 0)
        {
            var max = Math.Max(budget.MaxThreads, Environment.ProcessorCount);
            if (minWorkers > max)
            {
                ThreadPool.SetMinThreads(max, Math.Min(minIo, max));
            }

            ThreadPool.SetMaxThreads(max, Math.Min(maxIo, Math.Max(max, minIo)));
        }

        if (budget.MinThreads > 0)
        {
            ThreadPool.GetMaxThreads(out maxWorkers, out _);
            ThreadPool.SetMinThreads(Math.Min(budget.MinThreads, maxWorkers), minIo);
        }

        ThreadPool.GetMinThreads(out minWorkers, out _);
        ThreadPool.GetMaxThreads(out maxWorkers, out _);
        return string.Create(CultureInfo.InvariantCulture, $"thread pool {minWorkers}..{maxWorkers} workers");
    }

    /// <summary>What the GC says it may use (the heap hard limit when one is in force), for the start-up line and status.</summary>
    public static long GcAvailableBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The start-up line about memory: budget, configured limit, and what the GC really took.</summary>
    public static string Describe(BudgetOptions budget, string? profile, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(environment);
        var seen = GcAvailableBytes();
        var variable = environment[HeapLimitVariable] as string;
        var limit = TryParseHex(variable, out var set)
            ? string.Create(CultureInfo.InvariantCulture, $"{HeapLimitVariable}={variable} ({Mebibytes(set)} MiB){(seen == set ? ", honoured" : ", NOT honoured")}")
            : "no GC heap hard limit";
        var memory = budget.MemoryBudgetBytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"memory budget {Mebibytes(b)} MiB resident") : "no memory budget";
        return string.Create(CultureInfo.InvariantCulture, $"budget: profile {profile ?? "none"}, {memory}, {limit}; the GC sees {seen} bytes ({Mebibytes(seen)} MiB) available");
    }

    private static long Mebibytes(long bytes) => bytes / (1024 * 1024);
}
