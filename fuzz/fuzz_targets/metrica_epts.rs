//! Metrica EPTS tracking text against a small fixed metadata document: two
//! layouts (frames 1-100 with two players, 101-200 with the players swapped
//! and a ball height channel).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use touchline_io::metrica::{self, EptsMeta};

const META: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<main>
  <Metadata>
    <GlobalConfig>
      <FrameRate>25</FrameRate>
      <ProviderGlobalParameters>
        <ProviderParameter><Name>first_half_start</Name><Value>1</Value></ProviderParameter>
        <ProviderParameter><Name>first_half_end</Name><Value>100</Value></ProviderParameter>
        <ProviderParameter><Name>second_half_start</Name><Value>101</Value></ProviderParameter>
        <ProviderParameter><Name>second_half_end</Name><Value>200</Value></ProviderParameter>
      </ProviderGlobalParameters>
    </GlobalConfig>
    <Sessions><Session id="s"><MatchParameters><Score idLocalTeam="A" idVisitingTeam="B"/></MatchParameters>
      <FieldSize><Width>105</Width><Height>68</Height></FieldSize></Session></Sessions>
    <Teams><Team id="A"/><Team id="B"/></Teams>
    <Players>
      <Player id="P1" teamId="A"><ShirtNumber>7</ShirtNumber></Player>
      <Player id="P2" teamId="B"><ShirtNumber>9</ShirtNumber></Player>
    </Players>
    <Devices><Device id="d"><Sensors>
      <Sensor id="position"><Channels>
        <Channel id="x"><Unit>normalized</Unit></Channel>
        <Channel id="y"><Unit>normalized</Unit></Channel>
        <Channel id="z"><Unit>m</Unit></Channel>
      </Channels></Sensor>
      <Sensor id="speed"><Channels><Channel id="s"><Unit>kph</Unit></Channel></Channels></Sensor>
    </Sensors></Device></Devices>
    <PlayerChannels>
      <PlayerChannel channelId="x" id="p1_x" playerId="P1"/>
      <PlayerChannel channelId="y" id="p1_y" playerId="P1"/>
      <PlayerChannel channelId="s" id="p1_s" playerId="P1"/>
      <PlayerChannel channelId="x" id="p2_x" playerId="P2"/>
      <PlayerChannel channelId="y" id="p2_y" playerId="P2"/>
      <PlayerChannel channelId="s" id="p2_s" playerId="P2"/>
    </PlayerChannels>
  </Metadata>
  <DataFormatSpecifications>
    <DataFormatSpecification startFrame="1" endFrame="100" separator=":">
      <StringRegister name="frameCount"/>
      <SplitRegister separator=";">
        <SplitRegister separator=","><PlayerChannelRef playerChannelId="p1_x"/><PlayerChannelRef playerChannelId="p1_y"/><PlayerChannelRef playerChannelId="p1_s"/></SplitRegister>
        <SplitRegister separator=","><PlayerChannelRef playerChannelId="p2_x"/><PlayerChannelRef playerChannelId="p2_y"/><PlayerChannelRef playerChannelId="p2_s"/></SplitRegister>
      </SplitRegister>
      <SplitRegister separator=","><BallChannelRef channelId="x"/><BallChannelRef channelId="y"/></SplitRegister>
    </DataFormatSpecification>
    <DataFormatSpecification startFrame="101" endFrame="200" separator=":">
      <StringRegister name="frameCount"/>
      <SplitRegister separator=";">
        <SplitRegister separator=","><PlayerChannelRef playerChannelId="p2_x"/><PlayerChannelRef playerChannelId="p2_y"/></SplitRegister>
        <SplitRegister separator=","><PlayerChannelRef playerChannelId="p1_x"/><PlayerChannelRef playerChannelId="p1_y"/></SplitRegister>
      </SplitRegister>
      <SplitRegister separator=","><BallChannelRef channelId="x"/><BallChannelRef channelId="y"/><BallChannelRef channelId="z"/></SplitRegister>
    </DataFormatSpecification>
  </DataFormatSpecifications>
</main>
"#;

fn meta() -> Option<&'static EptsMeta> {
    static META_CELL: OnceLock<Option<EptsMeta>> = OnceLock::new();
    META_CELL.get_or_init(|| metrica::parse_epts_meta(META, Path::new("fuzz_metadata.xml")).ok()).as_ref()
}

fuzz_target!(|data: &[u8]| {
    if let Some(m) = meta() {
        let _ = metrica::parse_epts(data, m, Path::new("fuzz_tracking.txt"));
    }
    let head = String::from_utf8_lossy(data);
    let _ = metrica::sniff_epts(Path::new("fuzz_tracking.txt"), &head);
});
