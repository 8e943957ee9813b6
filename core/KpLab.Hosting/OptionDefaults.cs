using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace KpLab.Hosting;

/// <summary>
/// Reads an options record's defaults from the IL of its parameterless constructor, without running it. C# compiles a
/// property initializer (<c>public int K { get; init; } = 8;</c>) into that constructor as "load this, load a value,
/// store the backing field" before the base constructor call; when the value is a constant (number, bool, char,
/// enum, string, null, a constant wrapped in <c>Nullable&lt;T&gt;</c>, or an empty collection expression) it is read here. A property without an
/// initializer has its type's default. Anything computed (a method call, an array, a value set in the constructor's
/// body) is reported as not known: only running the code would tell, and listing plugins never runs plugin code.
/// </summary>
internal static class OptionDefaults
{
    /// <summary>The value of a property whose initializer is not a constant.</summary>
    public static readonly object Computed = new();

    /// <summary>Stands for the null constant (a dictionary value of null means "no initializer").</summary>
    public static readonly object Null = new();

    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static OptionDefaults()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (code.Size == 1) OneByte[value] = code;
            else TwoByte[value & 0xFF] = code;
        }
    }

    /// <summary>
    /// The initializer of each property of <paramref name="optionsType"/> and its base records, keyed by property
    /// name: a boxed constant, <see cref="Null"/>, or <see cref="Computed"/>. A property absent from the result has no
    /// initializer. When the constructor has a body or the assembly file cannot be read, every property without a
    /// constant initializer maps to <see cref="Computed"/> (see <see cref="Initializers.BodyAssigns"/>).
    /// </summary>
    public static Initializers Read(Type optionsType)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var body = false;
        var location = optionsType.Assembly.Location;
        if (string.IsNullOrEmpty(location) || !File.Exists(location)) return new Initializers(values, BodyAssigns: true);
        using var stream = File.OpenRead(location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        for (var type = optionsType; type is not null && type.FullName != "KpLab.Abstractions.PluginOptions"; type = type.BaseType)
        {
            if (type.Assembly.Location != location)
            {
                body = true;
                break;
            }
            var constructor = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
            if (constructor is null)
            {
                body = true;
                continue;
            }
            body |= ReadConstructor(pe, metadata, constructor.MetadataToken, values);
        }
        return new Initializers(values, body);
    }

    /// <summary>Records constant field stores before the base constructor call; true when code follows that call.</summary>
    private static bool ReadConstructor(PEReader pe, MetadataReader metadata, int token, Dictionary<string, object> values)
    {
        var method = metadata.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(token & 0xFFFFFF));
        if (method.RelativeVirtualAddress == 0) return true;
        var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
        var stack = new Stack<object>();
        var poisoned = false;
        var baseCalled = false;
        while (il.RemainingBytes > 0)
        {
            int first = il.ReadByte();
            var code = first == 0xFE ? TwoByte[il.ReadByte()] : OneByte[first];
            if (baseCalled)
            {
                if (code == OpCodes.Nop || code == OpCodes.Ret) continue;
                return true;
            }
            switch (code.OperandType)
            {
                case OperandType.InlineNone:
                    if (code == OpCodes.Ldarg_0) stack.Push(This);
                    else if (code == OpCodes.Ldnull) stack.Push(Null);
                    else if (code.Value >= OpCodes.Ldc_I4_M1.Value && code.Value <= OpCodes.Ldc_I4_8.Value)
                        stack.Push(code.Value - OpCodes.Ldc_I4_0.Value);
                    else if (Conversion(code) is { } convert && stack.TryPeek(out var top) && top is IConvertible)
                        stack.Push(convert(stack.Pop()));
                    else if (code == OpCodes.Ret) return false;
                    else if (code != OpCodes.Nop) poisoned = true;
                    break;
                case OperandType.ShortInlineI:
                    var small = il.ReadSByte();
                    if (code == OpCodes.Ldc_I4_S) stack.Push((int)small);
                    else poisoned = true;
                    break;
                case OperandType.InlineI:
                    var i4 = il.ReadInt32();
                    if (code == OpCodes.Ldc_I4) stack.Push(i4);
                    else poisoned = true;
                    break;
                case OperandType.InlineI8:
                    stack.Push(il.ReadInt64());
                    break;
                case OperandType.ShortInlineR:
                    stack.Push(il.ReadSingle());
                    break;
                case OperandType.InlineR:
                    stack.Push(il.ReadDouble());
                    break;
                case OperandType.InlineString:
                    stack.Push(metadata.GetUserString(MetadataTokens.UserStringHandle(il.ReadInt32() & 0xFFFFFF)));
                    break;
                case OperandType.InlineField:
                    var field = MetadataTokens.EntityHandle(il.ReadInt32());
                    if (code == OpCodes.Stfld && field.Kind == HandleKind.FieldDefinition && stack.Count == 2 && !poisoned)
                    {
                        var value = stack.Pop();
                        if (stack.Pop() == This) Store(metadata, (FieldDefinitionHandle)field, value, values);
                    }
                    else if (code == OpCodes.Stfld && field.Kind == HandleKind.FieldDefinition)
                        Store(metadata, (FieldDefinitionHandle)field, Computed, values);
                    else poisoned = true;
                    if (code == OpCodes.Stfld)
                    {
                        stack.Clear();
                        poisoned = false;
                    }
                    break;
                case OperandType.InlineMethod:
                    var callee = MetadataTokens.EntityHandle(il.ReadInt32());
                    if (code == OpCodes.Call && IsConstructor(metadata, callee)) baseCalled = true;
                    else if (code == OpCodes.Call && IsArrayEmpty(metadata, callee)) stack.Push(Array.Empty<object>());
                    else if (!(code == OpCodes.Newobj && IsNullableConstructor(metadata, callee) && stack.Count > 0)) poisoned = true;
                    break;
                case OperandType.InlineSwitch:
                    il.Offset += 4 * il.ReadInt32();
                    poisoned = true;
                    break;
                default:
                    il.Offset += OperandSize(code.OperandType);
                    poisoned = true;
                    break;
            }
        }
        return false;
    }

    private static readonly object This = new();

    private static void Store(MetadataReader metadata, FieldDefinitionHandle handle, object value, Dictionary<string, object> values)
    {
        var name = metadata.GetString(metadata.GetFieldDefinition(handle).Name);
        // Auto-property backing fields are named <Property>k__BackingField.
        if (name.StartsWith('<') && name.EndsWith(">k__BackingField", StringComparison.Ordinal))
            values[name[1..name.IndexOf('>', StringComparison.Ordinal)]] = value;
    }

    private static Func<object, object>? Conversion(OpCode code) =>
        code == OpCodes.Conv_I8 ? v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)
        : code == OpCodes.Conv_U8 ? v => unchecked((ulong)Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture))
        : code == OpCodes.Conv_R8 ? v => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)
        : code == OpCodes.Conv_R4 ? v => Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture)
        : null;

    private static bool IsConstructor(MetadataReader metadata, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.MethodDefinition => metadata.GetString(metadata.GetMethodDefinition((MethodDefinitionHandle)handle).Name) == ".ctor",
        HandleKind.MemberReference => metadata.GetString(metadata.GetMemberReference((MemberReferenceHandle)handle).Name) == ".ctor",
        _ => false,
    };

    /// <summary>Whether <paramref name="handle"/> is <c>Array.Empty&lt;T&gt;()</c>, what C# emits for an empty collection expression.</summary>
    private static bool IsArrayEmpty(MetadataReader metadata, EntityHandle handle)
    {
        if (handle.Kind != HandleKind.MethodSpecification) return false;
        var method = metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method;
        if (method.Kind != HandleKind.MemberReference) return false;
        var member = metadata.GetMemberReference((MemberReferenceHandle)method);
        if (metadata.GetString(member.Name) != "Empty" || member.Parent.Kind != HandleKind.TypeReference) return false;
        var parent = metadata.GetTypeReference((TypeReferenceHandle)member.Parent);
        return metadata.GetString(parent.Namespace) == "System" && metadata.GetString(parent.Name) == "Array";
    }

    /// <summary>Whether <paramref name="handle"/> is <c>Nullable&lt;T&gt;(T)</c>, which wraps a constant without changing it.</summary>
    private static bool IsNullableConstructor(MetadataReader metadata, EntityHandle handle)
    {
        if (handle.Kind != HandleKind.MemberReference) return false;
        var member = metadata.GetMemberReference((MemberReferenceHandle)handle);
        if (metadata.GetString(member.Name) != ".ctor" || member.Parent.Kind != HandleKind.TypeSpecification) return false;
        var blob = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)member.Parent).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance) return false;
        blob.ReadCompressedInteger(); // CLASS or VALUETYPE
        var generic = blob.ReadTypeHandle();
        if (generic.Kind != HandleKind.TypeReference) return false;
        var reference = metadata.GetTypeReference((TypeReferenceHandle)generic);
        return metadata.GetString(reference.Namespace) == "System" && metadata.GetString(reference.Name) == "Nullable`1";
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    /// <summary>The property initializers of an options record.</summary>
    /// <param name="Values">Property name to constant, <see cref="Null"/> or <see cref="Computed"/>.</param>
    /// <param name="BodyAssigns">The constructor runs code after its initializers, so a property without one may still be set.</param>
    public sealed record Initializers(IReadOnlyDictionary<string, object> Values, bool BodyAssigns);
}
