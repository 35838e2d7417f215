using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace AgentPlugins.Host.Roles.Unloading;

/// <summary>
/// Names what in a role's compiled code most likely keeps its context alive, by reading which
/// outside members the assembly calls: event subscriptions to host or static events, timers,
/// threads, <c>dynamic</c>, TypeDescriptor, GC handles. Reads the bytes, never the live assembly,
/// so looking cannot pin it.
/// </summary>
internal static class LeakSuspects
{
    public static string Describe(byte[]? image)
    {
        var found = image is null ? [] : Find(image);
        return found.Count == 0
            ? "nothing in the role's own code is a known cause; something outside it still holds one of its objects or types"
            : string.Join("; ", found);
    }

    public static IReadOnlyList<string> Find(byte[] image)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        using var pe = new PEReader(ImmutableArray.Create(image));
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            var type = TypeName(metadata, member.Parent);
            if (type is null)
            {
                continue;
            }

            var name = metadata.GetString(member.Name);
            if (Explain(type, name) is { } reason)
            {
                found.Add(reason);
            }
        }

        return [.. found];
    }

    private static string? Explain(string type, string member) => (type, member) switch
    {
        (_, _) when member.StartsWith("add_", StringComparison.Ordinal) =>
            $"subscribes to {type}.{member[4..]} and a host or static event keeps its handler (and the role) until it unsubscribes",
        ("System.Threading.Timer" or "System.Timers.Timer", ".ctor") => $"creates a {type} that is never disposed",
        ("System.Threading.Thread", ".ctor") => "starts its own thread",
        ("System.Threading.ThreadPool", "RegisterWaitForSingleObject") => "registers a thread-pool wait",
        ("System.Runtime.InteropServices.GCHandle", "Alloc") => "allocates a GCHandle",
        ("System.ComponentModel.TypeDescriptor", _) => "uses TypeDescriptor, which caches role types",
        _ when type.StartsWith("Microsoft.CSharp.RuntimeBinder.", StringComparison.Ordinal) => "uses dynamic, whose binder caches role types",
        _ => null,
    };

    private static string? TypeName(MetadataReader metadata, EntityHandle parent)
    {
        if (parent.Kind == HandleKind.TypeReference)
        {
            var reference = metadata.GetTypeReference((TypeReferenceHandle)parent);
            var name = metadata.GetString(reference.Name);
            var ns = metadata.GetString(reference.Namespace);
            return ns.Length == 0 ? name : $"{ns}.{name}";
        }

        if (parent.Kind == HandleKind.TypeSpecification)
        {
            // A generic instantiation (EventHandler<T>); its definition is enough to name it.
            var blob = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
            if (blob.ReadSignatureTypeCode() == SignatureTypeCode.GenericTypeInstance)
            {
                blob.ReadSignatureTypeCode();
                return TypeName(metadata, blob.ReadTypeHandle());
            }
        }

        return null;
    }
}
