using System.Text;

namespace AgentPlugins.Host.Workflows;

/// <summary>
/// A tool called by name without a model: <c>/role tool arg1 "arg two" name=value</c>. Positional
/// arguments fill the tool's parameters in order; <c>name=value</c> fills one by name.
/// </summary>
internal sealed record DirectCommand(
    string Role,
    string? Tool,
    IReadOnlyList<string> Positional,
    IReadOnlyList<KeyValuePair<string, string>> Named)
{
    /// <summary>Reads a command line starting with '/'; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out DirectCommand? command, out string error)
    {
        command = null;
        if (!text.StartsWith('/'))
        {
            error = "A direct command starts with '/', e.g. /timer set_timer 5m tea.";
            return false;
        }

        if (!TrySplit(text[1..], out var words, out error))
        {
            return false;
        }

        if (words.Count == 0 || words[0].Length == 0)
        {
            error = "No role named after '/'; e.g. /timer set_timer 5m tea, or /help.";
            return false;
        }

        return TryFromWords(words[0], [.. words.Skip(1)], out command, out error);
    }

    /// <summary>
    /// A command from words already split (a shell's arguments): <paramref name="words"/> is the tool
    /// and its arguments, positional first, then <c>name=value</c>; on failure <paramref name="error"/> says what is wrong.
    /// </summary>
    public static bool TryFromWords(string role, IReadOnlyList<string> words, out DirectCommand? command, out string error)
    {
        ArgumentNullException.ThrowIfNull(words);
        command = null;
        var positional = new List<string>();
        var named = new List<KeyValuePair<string, string>>();
        foreach (var word in words.Skip(1))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IsName(word.AsSpan(0, equals)))
            {
                named.Add(new(word[..equals], word[(equals + 1)..]));
            }
            else if (named.Count > 0)
            {
                error = $"Positional argument '{word}' after a named one; put positional arguments first.";
                return false;
            }
            else
            {
                positional.Add(word);
            }
        }

        command = new DirectCommand(role, words.Count > 0 ? words[0] : null, positional, named);
        error = string.Empty;
        return true;
    }

    private static bool IsName(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // Splits on whitespace; "double" or 'single' quotes keep spaces; a backslash escapes the next character.
    private static bool TrySplit(string text, out List<string> words, out string error)
    {
        words = [];
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
                inWord = true;
            }
            else if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (quote is not null)
        {
            error = $"Unclosed {quote} quote in the command.";
            return false;
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        error = string.Empty;
        return true;
    }
}
