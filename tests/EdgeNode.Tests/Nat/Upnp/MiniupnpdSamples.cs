namespace EPostEdge.EdgeNode.Tests.Nat.Upnp;

/// <summary>
/// What Debian's miniupnpd 2.3.1 really sent (captured with curl from a gateway set up like
/// <c>Igd/MiniupnpdGateway</c>'s, and from its log of the node's M-SEARCH), for the parsers' tests.
/// </summary>
internal static class MiniupnpdSamples
{
    /// <summary>The device description (IGD v2), as served.</summary>
    public const string Description =
        "<?xml version=\"1.0\"?>\r\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\" configId=\"1337\"><specVersion><major>1</ma" +
        "jor><minor>1</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</dev" +
        "iceType><friendlyName>Debian router</friendlyName><manufacturer>Debian</manufacturer><manufacturerURL>http://w" +
        "ww.debian.org/</manufacturerURL><modelDescription>Debian router</modelDescription><modelName>Debian router</mo" +
        "delName><modelNumber>1</modelNumber><modelURL>http://www.debian.org/</modelURL><serialNumber>00000000</serialN" +
        "umber><UDN>uuid:3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b</UDN><serviceList><service><serviceType>urn:schemas-upnp-" +
        "org:service:Layer3Forwarding:1</serviceType><serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId><SCPDUR" +
        "L>/L3F.xml</SCPDURL><controlURL>/ctl/L3F</controlURL><eventSubURL>/evt/L3F</eventSubURL></service><service><se" +
        "rviceType>urn:schemas-upnp-org:service:DeviceProtection:1</serviceType><serviceId>urn:upnp-org:serviceId:Devic" +
        "eProtection1</serviceId><SCPDURL>/DP.xml</SCPDURL><controlURL>/ctl/DP</controlURL><eventSubURL>/evt/DP</eventS" +
        "ubURL></service></serviceList><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceT" +
        "ype><friendlyName>WANDevice</friendlyName><manufacturer>MiniUPnP</manufacturer><manufacturerURL>http://miniupn" +
        "p.free.fr/</manufacturerURL><modelDescription>WAN Device</modelDescription><modelName>WAN Device</modelName><m" +
        "odelNumber>20221221</modelNumber><modelURL>http://miniupnp.free.fr/</modelURL><serialNumber>00000000</serialNu" +
        "mber><UDN>uuid:3d3cec3a-8cf0-11e0-98ee-001a6bd2d07c</UDN><UPC>000000000000</UPC><serviceList><service><service" +
        "Type>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType><serviceId>urn:upnp-org:serviceId:WA" +
        "NCommonIFC1</serviceId><SCPDURL>/WANCfg.xml</SCPDURL><controlURL>/ctl/CmnIfCfg</controlURL><eventSubURL>/evt/C" +
        "mnIfCfg</eventSubURL></service></serviceList><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANCo" +
        "nnectionDevice:2</deviceType><friendlyName>WANConnectionDevice</friendlyName><manufacturer>MiniUPnP</manufactu" +
        "rer><manufacturerURL>http://miniupnp.free.fr/</manufacturerURL><modelDescription>MiniUPnP daemon</modelDescrip" +
        "tion><modelName>MiniUPnPd</modelName><modelNumber>20221221</modelNumber><modelURL>http://miniupnp.free.fr/</mo" +
        "delURL><serialNumber>00000000</serialNumber><UDN>uuid:3d3cec3a-8cf0-11e0-98ee-001a6bd2d07d</UDN><UPC>000000000" +
        "000</UPC><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><servi" +
        "ceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml</SCPDURL><controlURL>/ctl/IPConn</cont" +
        "rolURL><eventSubURL>/evt/IPConn</eventSubURL></service><service><serviceType>urn:schemas-upnp-org:service:WANI" +
        "Pv6FirewallControl:1</serviceType><serviceId>urn:upnp-org:serviceId:WANIPv6Firewall1</serviceId><SCPDURL>/WANI" +
        "P6FC.xml</SCPDURL><controlURL>/ctl/IP6FCtl</controlURL><eventSubURL>/evt/IP6FCtl</eventSubURL></service></serv" +
        "iceList></device></deviceList></device></deviceList><presentationURL>http://10.77.0.1/</presentationURL></devi" +
        "ce></root>";

    /// <summary>GET /rootDesc.xml: the whole HTTP response.</summary>
    public const string DescriptionResponse =
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nConnection: close\r\nContent-Length: 3090\r\nServer: Deb" +
        "ian/6.18.44-fc-v1098 UPnP/1.1 MiniUPnPd/2.3.1\r\nExt:\r\n\r\n" + Description;

    /// <summary>The answer to GetExternalIPAddress.</summary>
    public const string GetExternalIPAddressResponse =
        "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http:/" +
        "/schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:GetExternalIPAddressResponse xmlns:u=\"urn:schemas-upnp-org:ser" +
        "vice:WANIPConnection:2\"><NewExternalIPAddress>192.0.1.7</NewExternalIPAddress></u:GetExternalIPAddressResponse" +
        "></s:Body></s:Envelope>\r\n";

    /// <summary>miniupnpd's fault template (upnpsoap.c SoapError), for GetSpecificPortMappingEntry of a port nobody mapped.</summary>
    public const string NoSuchEntryFault =
        "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http:/" +
        "/schemas.xmlsoap.org/soap/encoding/\"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</f" +
        "aultstring><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>714</errorCode><errorDescrip" +
        "tion>NoSuchEntryInArray</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>\r\n";

    /// <summary>
    /// Its SSDP answer to an M-SEARCH: the headers its log showed for a search of the device type,
    /// with ST and USN as it answers a search of the WANIPConnection:2 service.
    /// </summary>
    public const string SearchResponse =
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:service:WANIPConnection:2\r\nUSN: uuid:3d3" +
        "cec3a-8cf0-11e0-98ee-001a6bd2d07d::urn:schemas-upnp-org:service:WANIPConnection:2\r\nEXT:\r\nSERVER: Debian/6.18.4" +
        "4-fc-v1098 UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: http://10.77.0.1:5000/rootDesc.xml\r\nOPT: \"http://schemas.upnp.o" +
        "rg/upnp/1/0/\"; ns=01\r\n01-NLS: 1796225699\r\nBOOTID.UPNP.ORG: 1796225699\r\nCONFIGID.UPNP.ORG: 1337\r\n\r\n";
}
