using EquipmentTwin.Storage.Influx;

namespace EquipmentTwin.Storage.Tests;

/// <summary>
/// Golden lines ported from InfluxDB's own parser tests (models/points_test.go: TestParsePointUnescape,
/// TestParsePointWithStringField, …WithStringWithCommas, …WithStringWithBackslash, …EscapedStringsAndCommas,
/// TestMarshalFields): the values the parser reads from each line, written back, give the same line.
/// </summary>
public sealed class LineProtocolWriterTests
{
    private static string Line(Action<LineProtocolWriter> write)
    {
        var w = new LineProtocolWriter();
        write(w);
        return w.ToString();
    }

    [Theory]
    [InlineData("foo,bar", "foo\\,bar")]           // comma in the measurement
    [InlineData("cpu load", "cpu\\ load")]         // space in the measurement
    [InlineData("cpu=load", "cpu=load")]           // equals is literal in a measurement
    public void Measurement_escapes_comma_and_space_only(string name, string expected) =>
        Assert.Equal(expected + " value=1i 0", Line(w => w.Measurement(name).Field("value", 1L).Timestamp(0)));

    [Theory]
    [InlineData("region,zone", "east", "cpu,region\\,zone=east value=1 0")]
    [InlineData("region zone", "east", "cpu,region\\ zone=east value=1 0")]
    [InlineData(" ", "east", "cpu,\\ =east value=1 0")]
    [InlineData("regions", "east,west", "cpu,regions=east\\,west value=1 0")]
    [InlineData("regions", "east west", "cpu,regions=east\\ west value=1 0")]
    [InlineData("regions", "\\ east", "cpu,regions=\\\\ east value=1 0")]
    [InlineData("regions", "eas\\ t", "cpu,regions=eas\\\\ t value=1 0")]
    [InlineData("regions", "\\,,=east", "cpu,regions=\\\\,\\,\\=east value=1 0")]
    [InlineData("reg\\=ion", "east", "cpu,reg\\\\=ion=east value=1 0")]
    [InlineData("regions", "eas\\t", "cpu,regions=eas\\t value=1 0")]
    public void Tag_keys_and_values_escape_comma_equals_and_space(string key, string value, string expected) =>
        Assert.Equal(expected, Line(w => w.Measurement("cpu").Tag(key, value).Field("value", 1.0).Timestamp(0)));

    [Fact]
    public void Measurement_tag_and_tag_value_with_equals()
    {
        Assert.Equal("cpu=load,equals\\=foo=tag\\=value value=1i 0", Line(w => w.Measurement("cpu=load").Tag("equals=foo", "tag=value").Field("value", 1L).Timestamp(0)));
    }

    [Theory]
    [InlineData("value,ms", "cpu,regions=east value\\,ms=1 0")]
    [InlineData("value ms", "cpu,regions=east value\\ ms=1 0")]
    public void Field_keys_escape_like_tags(string key, string expected) =>
        Assert.Equal(expected, Line(w => w.Measurement("cpu").Tag("regions", "east").Field(key, 1.0).Timestamp(0)));

    [Theory]
    [InlineData("foo \" bar", "str=\"foo \\\" bar\"")]
    [InlineData("foo bar", "str=\"foo bar\"")]
    [InlineData("foo,bar", "str=\"foo,bar\"")]
    [InlineData("foo=bar", "str=\"foo=bar\"")]
    [InlineData("foo\\", "str=\"foo\\\\\"")]
    [InlineData("test\\\"", "str=\"test\\\\\\\"\"")]
    [InlineData("test\"", "str=\"test\\\"\"")]
    [InlineData("{Hello\"{,}\" World}", "str=\"{Hello\\\"{,}\\\" World}\"")]
    [InlineData("foo\nbar", "str=\"foo\nbar\"")]
    [InlineData("wè", "str=\"wè\"")]
    public void String_fields_are_quoted_with_quote_and_backslash_escaped(string value, string expected) =>
        Assert.Equal("cpu " + expected + " 1000000000", Line(w => w.Measurement("cpu").Field("str", value).Timestamp(1_000_000_000)));

    [Fact]
    public void Integers_carry_i_floats_carry_no_suffix_and_booleans_are_words()
    {
        Assert.Equal("m value=2 0", Line(w => w.Measurement("m").Field("value", 2.0).Timestamp(0)));
        Assert.Equal("m value=2i 0", Line(w => w.Measurement("m").Field("value", 2L).Timestamp(0)));
        Assert.Equal("m value=-0.64 0", Line(w => w.Measurement("m").Field("value", -0.64).Timestamp(0)));
        Assert.Equal("m value=6632243 0", Line(w => w.Measurement("m").Field("value", 6.632243e+06).Timestamp(0)));
        Assert.Equal("m value=true 0", Line(w => w.Measurement("m").Field("value", true).Timestamp(0)));
        Assert.Equal("m value=9223372036854775807i -1", Line(w => w.Measurement("m").Field("value", long.MaxValue).Timestamp(-1)));
    }

    [Fact]
    public void Line_breaks_in_names_cannot_split_a_line_and_a_trailing_backslash_cannot_escape_the_separator()
    {
        Assert.Equal("m,t=a\\ b v=1 0", Line(w => w.Measurement("m").Tag("t", "a\nb").Field("v", 1.0).Timestamp(0)));
        Assert.Equal("m,t=east_ v=1 0", Line(w => w.Measurement("m").Tag("t", "east\\").Field("v", 1.0).Timestamp(0)));
    }

    [Fact]
    public void Empty_tag_values_are_left_out_and_lines_are_joined_by_newlines()
    {
        var w = new LineProtocolWriter();
        w.Measurement("m").Tag("a", "").Tag("b", null).Tag("c", "x").Field("v", 1.0).Timestamp(1);
        w.Measurement("m").Field("v", 2.0).Field("s", "t").Timestamp(2);
        Assert.Equal("m,c=x v=1 1\nm v=2,s=\"t\" 2", w.ToString());
        Assert.Equal(2, w.Lines);
    }

    [Fact]
    public void NaN_and_infinity_are_refused()
    {
        var w = new LineProtocolWriter().Measurement("m");
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Field("v", double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Field("v", double.PositiveInfinity));
    }
}
