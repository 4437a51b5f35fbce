using System.Net;
using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Nat.Http;
using EPostEdge.EdgeNode.Nat.Upnp;

namespace EPostEdge.EdgeNode.Tests.Nat.Upnp;

/// <summary>SSDP answers, device descriptions and SOAP messages: miniupnpd's real ones, v1-style variations, and bad ones.</summary>
public sealed class UpnpDocumentTests
{
    private static readonly HttpUrl Location = HttpUrl.TryParse("http://10.77.0.1:5000/rootDesc.xml", out var url, out _) ? url : default;

    [Fact]
    public void The_search_is_the_uda_message()
    {
        Assert.Equal(
            "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\nST: urn:schemas-upnp-org:service:WANIPConnection:1\r\nUSER-AGENT: Linux UPnP/1.1 epost-edge/1\r\n\r\n",
            Encoding.ASCII.GetString(SsdpCodec.BuildSearch("urn:schemas-upnp-org:service:WANIPConnection:1", 2)));
        Assert.Contains("MX: 5\r\n", Encoding.ASCII.GetString(SsdpCodec.BuildSearch("x", 60)), StringComparison.Ordinal);
    }

    [Fact]
    public void Miniupnpds_search_answer_parses()
    {
        Assert.True(SsdpCodec.TryParseResponse(Encoding.ASCII.GetBytes(MiniupnpdSamples.SearchResponse), out var answer, out var error), error);
        Assert.Equal("http://10.77.0.1:5000/rootDesc.xml", answer!.Location);
        Assert.Equal("urn:schemas-upnp-org:service:WANIPConnection:2", answer.SearchTarget);
        Assert.Contains("MiniUPnPd/2.3.1", answer.Server, StringComparison.Ordinal);

        // Lower-case names, bare LFs and no closing blank line, as some stacks send.
        Assert.True(SsdpCodec.TryParseResponse("HTTP/1.1 200 OK\nlocation: http://10.0.0.1/d.xml\nst: upnp:rootdevice"u8, out answer, out _));
        Assert.Equal("upnp:rootdevice", answer!.SearchTarget);
    }

    [Theory]
    [InlineData("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\n\r\n")]
    [InlineData("HTTP/1.1 404 Not Found\r\nST: x\r\nLOCATION: http://10.0.0.1/\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nST: x\r\n\r\n")]
    [InlineData("")]
    public void Other_ssdp_messages_are_refused(string text)
    {
        Assert.False(SsdpCodec.TryParseResponse(Encoding.ASCII.GetBytes(text), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Miniupnpds_description_yields_its_ip_connection_v2_control_url()
    {
        Assert.True(IgdDescription.TryFindConnectionService(MiniupnpdSamples.Description, Location, out var service, out var error), error);
        Assert.Equal("urn:schemas-upnp-org:service:WANIPConnection:2", service!.ServiceType);
        Assert.Equal(2, service.Version);
        Assert.Equal("http://10.77.0.1:5000/ctl/IPConn", service.ControlUrl.ToString());
    }

    [Fact]
    public void A_v1_description_with_url_base_and_a_relative_control_url()
    {
        var xml = Description("<URLBase>http://10.77.0.1:49000/igd/</URLBase>", Service("urn:schemas-upnp-org:service:WANPPPConnection:1", "ppp")
            + Service("urn:schemas-upnp-org:service:WANIPConnection:1", "upnp/control/WANIPConn1"));
        Assert.True(IgdDescription.TryFindConnectionService(xml, Location, out var service, out var error), error);
        Assert.Equal("urn:schemas-upnp-org:service:WANIPConnection:1", service!.ServiceType); // IP before PPP
        Assert.Equal("http://10.77.0.1:49000/igd/upnp/control/WANIPConn1", service.ControlUrl.ToString());
    }

    [Fact]
    public void Descriptions_that_cannot_be_used_say_why()
    {
        Assert.False(IgdDescription.TryFindConnectionService(Description(string.Empty, Service("urn:schemas-upnp-org:service:Layer3Forwarding:1", "/l3f")), Location, out _, out var error));
        Assert.Contains("no WAN connection service", error, StringComparison.Ordinal);
        Assert.False(IgdDescription.TryFindConnectionService(Description(string.Empty, Service("urn:schemas-upnp-org:service:WANIPConnection:1", "http://10.9.9.9/ctl")), Location, out _, out error));
        Assert.Contains("another host", error, StringComparison.Ordinal);
        Assert.False(IgdDescription.TryFindConnectionService("<html><body>login</body></html>", Location, out _, out error));
        Assert.Contains("<html>", error, StringComparison.Ordinal);
        Assert.False(IgdDescription.TryFindConnectionService("<root><device>", Location, out _, out error));
        Assert.Contains("not XML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Soap_requests_carry_the_arguments_in_order_escaped()
    {
        var body = Encoding.UTF8.GetString(SoapCodec.BuildRequest("urn:schemas-upnp-org:service:WANIPConnection:1", "AddPortMapping", [new("NewRemoteHost", string.Empty), new("NewPortMappingDescription", "a<b&c")]));
        Assert.True(UpnpXml.TryParse(body, out var envelope, out _));
        var action = envelope!.Child("Body")!.Child("AddPortMapping")!;
        Assert.Equal(["NewRemoteHost", "NewPortMappingDescription"], action.Children.Select(c => c.Name));
        Assert.Equal("a<b&c", action.ChildText("NewPortMappingDescription"));
        Assert.Contains("xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\"", body, StringComparison.Ordinal);
        Assert.Equal("\"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping\"", SoapCodec.SoapAction("urn:schemas-upnp-org:service:WANIPConnection:1", "AddPortMapping"));

        // Any description text survives the envelope.
        Gen.String.Sample(text =>
        {
            var clean = new string(text.Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).ToArray());
            var xml = Encoding.UTF8.GetString(SoapCodec.BuildRequest("s", "A", [new("D", clean)]));
            Assert.True(UpnpXml.TryParse(xml, out var root, out var error), error);
            Assert.Equal(clean.Trim(), root!.Child("Body")!.Child("A")!.ChildText("D"));
        });
    }

    [Fact]
    public void Soap_answers_and_faults_parse()
    {
        Assert.True(SoapCodec.TryParseResponse(200, MiniupnpdSamples.GetExternalIPAddressResponse, "GetExternalIPAddress", out var result, out var error), error);
        Assert.True(result!.Succeeded);
        Assert.Equal("192.0.1.7", result.Arguments["NewExternalIPAddress"]);
        Assert.True(IPAddress.TryParse(result.Arguments["NewExternalIPAddress"], out _));

        Assert.True(SoapCodec.TryParseResponse(500, MiniupnpdSamples.NoSuchEntryFault, "GetSpecificPortMappingEntry", out result, out _));
        Assert.Equal(714, result!.ErrorCode);
        Assert.Equal("NoSuchEntryInArray", result.ErrorDescription);
    }

    [Theory]
    [InlineData(200, "<s:Envelope><s:Body><u:OtherResponse/></s:Body></s:Envelope>", "without <GetExternalIPAddressResponse>")]
    [InlineData(500, "<s:Envelope><s:Body><s:Fault><faultstring>oops</faultstring></s:Fault></s:Body></s:Envelope>", "without a UPnP errorCode")]
    [InlineData(500, "<html>Internal Server Error</html>", "without a SOAP Envelope")]
    [InlineData(200, "", "not XML")]
    public void Soap_answers_that_cannot_be_used_say_why(int status, string body, string reason)
    {
        Assert.False(SoapCodec.TryParseResponse(status, body, "GetExternalIPAddress", out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static string Description(string urlBase, string services) =>
        $"<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\">{urlBase}<device><deviceList><device><deviceList><device><serviceList>{services}</serviceList></device></deviceList></device></deviceList></device></root>";

    private static string Service(string type, string control) =>
        $"<service><serviceType>{type}</serviceType><serviceId>x</serviceId><controlURL>{control}</controlURL></service>";
}
