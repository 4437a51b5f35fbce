namespace EPostEdge.EdgeNode.Budgets;

/// <summary>One look at the process's memory.</summary>
/// <param name="RssBytes">Resident set now (/proc/self/statm: resident pages × page size).</param>
/// <param name="PeakRssBytes">Highest resident set since start (VmHWM of /proc/self/status).</param>
/// <param name="HeapBytes">Managed heap after the last collection (GCMemoryInfo.HeapSizeBytes).</param>
/// <param name="HeapLimitBytes">What the GC may use (GCMemoryInfo.TotalAvailableMemoryBytes: the heap hard limit when one is set, else the machine's or cgroup's memory).</param>
public readonly record struct MemorySample(long RssBytes, long PeakRssBytes, long HeapBytes, long HeapLimitBytes);
