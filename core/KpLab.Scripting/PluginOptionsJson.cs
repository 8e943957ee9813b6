using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KpLab.Scripting;

/// <summary>Plugin options as JSON (their identity in trial ids and the run record) and as short text for tables.</summary>
internal static class PluginOptionsJson
{
    private static readonly JsonSerializerOptions Compact = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// <paramref name="options"/> (bound options record, anonymous object, dictionary or null) as compact JSON with
    /// the runtime type's members: the same options always give the same text.
    /// </summary>
    public static string Of(object? options) =>
        options is null ? "null" : JsonSerializer.Serialize(options, options.GetType(), Compact);

    /// <summary>The options as the script wrote them, "k=3, nInit=10" (empty for none).</summary>
    public static string Text(object? options)
    {
        if (options is null) return "";
        using var json = JsonDocument.Parse(Of(options));
        if (json.RootElement.ValueKind != JsonValueKind.Object) return json.RootElement.GetRawText();
        var text = new StringBuilder();
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (text.Length > 0) text.Append(", ");
            text.Append(property.Name).Append('=').Append(property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                _ => property.Value.GetRawText(),
            });
        }
        return text.ToString();
    }

    /// <summary>An integer as invariant text.</summary>
    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
