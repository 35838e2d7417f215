using System.Text.RegularExpressions;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Architecture;

/// <summary>
/// The host's top-level folders (one namespace each) depend on each other without cycles, so each
/// capability can be read, tested and replaced on its own. A reference is a <c>using</c> or a
/// qualified name <c>AgentPlugins.Host.Folder</c> in a file of another folder.
/// </summary>
public sealed partial class NamespaceCycleTests
{
    private static string HostSource => Path.Combine(Repository.Root, "host", "AgentPlugins.Host");

    [Fact]
    public void The_host_folders_depend_on_each_other_without_cycles()
    {
        var references = FolderReferences();
        Assert.True(references.Count > 10, $"only {references.Count} host folders found under {HostSource}");

        var cycles = StronglyConnected(references).Where(c => c.Count > 1).ToList();

        Assert.True(cycles.Count == 0, "namespace cycles: " + string.Join("; ", cycles.Select(c => Describe(c, references))));
    }

    [Fact]
    public void The_check_finds_a_cycle_when_there_is_one()
    {
        var references = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "A/x.cs" },
            ["B"] = new() { ["C"] = "B/y.cs" },
            ["C"] = new() { ["A"] = "C/z.cs" },
            ["D"] = new() { ["A"] = "D/w.cs" },
        };

        var cycle = Assert.Single(StronglyConnected(references), c => c.Count > 1);

        Assert.Equal(["A", "B", "C"], cycle.Order());
    }

    // folder → (folder it references → one file that does, for the message)
    private static Dictionary<string, Dictionary<string, string>> FolderReferences()
    {
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var folder in Directory.GetDirectories(HostSource).Select(Path.GetFileName).OfType<string>())
        {
            if (folder is "bin" or "obj")
            {
                continue;
            }

            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(HostSource, folder), "*.cs", SearchOption.AllDirectories))
            {
                foreach (Match match in HostNamespace().Matches(File.ReadAllText(file)))
                {
                    var target = match.Groups[1].Value;
                    if (target != folder)
                    {
                        targets.TryAdd(target, Path.GetRelativePath(HostSource, file));
                    }
                }
            }

            result[folder] = targets;
        }

        return result;
    }

    // Tarjan's strongly connected components: every component of more than one folder is a cycle.
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph[node].Keys.Where(graph.ContainsKey))
            {
                if (!index.TryGetValue(next, out var visited))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], visited);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in graph.Keys.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return components;
    }

    private static string Describe(List<string> cycle, Dictionary<string, Dictionary<string, string>> references) =>
        string.Join(", ", from a in cycle from b in cycle where references[a].ContainsKey(b) select $"{a} -> {b} ({references[a][b]})");

    [GeneratedRegex(@"AgentPlugins\.Host\.([A-Za-z]+)")]
    private static partial Regex HostNamespace();
}
