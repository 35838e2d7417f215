namespace AgentPlugins.Host.Storage;

/// <summary>What one retention pass did to one store.</summary>
/// <param name="Store">The store's name (<c>audit</c>).</param>
/// <param name="ByAge">Records deleted for being older than the store's <c>maxAge</c>.</param>
/// <param name="BySize">Records deleted to bring the store under its <c>maxMegabytes</c>.</param>
/// <param name="DataBytes">Bytes of records left after the pass.</param>
/// <param name="Error">Why the pass failed on this store, or null.</param>
internal sealed record RetentionPass(string Store, long ByAge, long BySize, long DataBytes, string? Error);
