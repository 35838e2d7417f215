using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Purity;

/// <summary>
/// AP0301: event handlers touch no I/O (files, network, processes, console, environment). They return
/// intents; the intent handlers do the work through <c>IntentContext</c>.
/// </summary>
internal sealed class NoIoInEventHandlers : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0301", RuleCategory.Purity, "Event handlers do no I/O",
        "Event handler {0} {1}uses {2} ({3}); event handlers are pure: return an intent and do the work in its intent handler, through IntentContext.");

    private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
    {
        ["System.IO.File"] = "file system",
        ["System.IO.Directory"] = "file system",
        ["System.IO.FileInfo"] = "file system",
        ["System.IO.DirectoryInfo"] = "file system",
        ["System.IO.FileStream"] = "file system",
        ["System.IO.StreamReader"] = "file system",
        ["System.IO.StreamWriter"] = "file system",
        ["System.IO.FileSystemWatcher"] = "file system",
        ["System.IO.DriveInfo"] = "file system",
        ["System.Net.Http.HttpClient"] = "network",
        ["System.Net.Http.HttpMessageInvoker"] = "network",
        ["System.Net.Http.HttpClientHandler"] = "network",
        ["System.Net.Http.SocketsHttpHandler"] = "network",
        ["System.Net.WebClient"] = "network",
        ["System.Net.WebRequest"] = "network",
        ["System.Net.HttpWebRequest"] = "network",
        ["System.Net.Dns"] = "network",
        ["System.Net.Sockets.Socket"] = "network",
        ["System.Net.Sockets.TcpClient"] = "network",
        ["System.Net.Sockets.UdpClient"] = "network",
        ["System.Net.Sockets.TcpListener"] = "network",
        ["System.Net.Sockets.NetworkStream"] = "network",
        ["System.Net.NetworkInformation.Ping"] = "network",
        ["System.Diagnostics.Process"] = "processes",
        ["System.Diagnostics.ProcessStartInfo"] = "processes",
        ["System.Console"] = "console",
        ["System.Environment"] = "environment",
    };

    private static readonly ApiSet Forbidden = new(
        types: Kinds.Keys,
        members: ["System.IO.Path.GetTempPath", "System.IO.Path.GetTempFileName", "System.IO.Path.GetFullPath"],
        // Facts about this process, not reads of the machine's environment.
        except: ["System.Environment.NewLine", "System.Environment.CurrentManagedThreadId", "System.Environment.ProcessorCount"]);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        // `new StreamReader(path).ReadToEnd()` is one mistake: the outer use is seen first (pre-order), and
        // covers the receiver it is called on.
        var covered = new HashSet<IOperation>();
        foreach (var (use, handler, via) in EventHandlerCode.ApiUses(role))
        {
            if (!Forbidden.ListsType(use) && !Forbidden.ListsMember(use))
            {
                continue;
            }

            if (RoleSource.Unwrap(use.Receiver) is { } receiver)
            {
                covered.Add(receiver);
            }

            if (covered.Contains(use.Operation))
            {
                continue;
            }

            var kind = Kinds.GetValueOrDefault(use.TypeName, "file system");
            report.Add(Rule, use.Operation.Syntax.GetLocation(), handler, via, use.Display, kind);
        }
    }
}
