using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// Prints diagnostics as a JSON array of <c>{file, line, column, endLine, endColumn, severity, code,
/// message, helpUri}</c>: the same diagnostics, in the same order, as the text report.
/// </summary>
internal static class JsonReport
{
    public static void Write(ValidationResult result, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var d in result.Diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("file", d.Path);
                json.WriteNumber("line", d.Line);
                json.WriteNumber("column", d.Column);
                json.WriteNumber("endLine", d.EndLine);
                json.WriteNumber("endColumn", d.EndColumn);
                json.WriteString("severity", d.Severity == DiagnosticSeverity.Error ? "error" : "warning");
                json.WriteString("code", d.Code);
                json.WriteString("message", d.Message);
                if (d.HelpUri is null)
                {
                    json.WriteNull("helpUri");
                }
                else
                {
                    json.WriteString("helpUri", d.HelpUri);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
