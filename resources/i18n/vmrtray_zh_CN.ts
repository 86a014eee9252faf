<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Alerts</name>
        <message>
            <source>Booked “{theme}”</source>
            <translation>已预约“{theme}”</translation>
        </message>
        <message numerus="yes">
            <source>“{theme}” starts in %n minute(s)</source>
            <translation>
                <numerusform>“{theme}”将在 %n 分钟后开始</numerusform>
            </translation>
        </message>
        <message>
            <source>Download stopped</source>
            <translation>下载已停止</translation>
        </message>
        <message>
            <source>Download will be tried again</source>
            <translation>下载将自动重试</translation>
        </message>
        <message>
            <source>Recording downloaded</source>
            <translation>录制已下载</translation>
        </message>
    </context>
    <context>
        <name>BookingDialog</name>
        <message>
            <source>Book a meeting</source>
            <translation>预约会议</translation>
        </message>
        <message>
            <source>Room</source>
            <translation>会议室</translation>
        </message>
        <message>
            <source>Theme</source>
            <translation>主题</translation>
        </message>
        <message>
            <source>Introduction</source>
            <translation>简介</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>开始时间</translation>
        </message>
        <message numerus="yes">
            <source>%n minute(s)</source>
            <translation>
                <numerusform>%n 分钟</numerusform>
            </translation>
        </message>
        <message>
            <source>until…</source>
            <translation>结束于…</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>时长</translation>
        </message>
        <message>
            <source>Participants</source>
            <translation>参会人</translation>
        </message>
        <message>
            <source>Host password</source>
            <translation>主持人密码</translation>
        </message>
        <message>
            <source>Guest password</source>
            <translation>来宾密码</translation>
        </message>
        <message>
            <source>Show passwords</source>
            <translation>显示密码</translation>
        </message>
        <message>
            <source>Generate</source>
            <translation>生成</translation>
        </message>
        <message>
            <source>Open the meeting automatically at the start</source>
            <translation>到开始时间自动开启会议</translation>
        </message>
        <message>
            <source>Book</source>
            <translation>预约</translation>
        </message>
        <message>
            <source>4 to 10 digits, or empty</source>
            <translation>4 到 10 位数字，或留空</translation>
        </message>
        <message>
            <source>no room to book: the account has none, or they did not load</source>
            <translation>没有可预约的会议室：账号下没有会议室，或未能加载</translation>
        </message>
        <message>
            <source>Booking…</source>
            <translation>正在预约…</translation>
        </message>
        <message>
            <source>Not booked: {why} It is not among your bookings; Book again looks once more first.</source>
            <translation>未预约成功：{why} 您的预约中没有这场会议；再次点击“预约”会先再查找一次。</translation>
        </message>
        <message>
            <source>{room} is already booked for {when}.</source>
            <translation>{room} 在 {when} 已被预约。</translation>
        </message>
        <message>
            <source>Free times for this room:</source>
            <translation>该会议室的空闲时间：</translation>
        </message>
        <message>
            <source>Other rooms free at that time:</source>
            <translation>该时间空闲的其他会议室：</translation>
        </message>
        <message>
            <source>Share link</source>
            <translation>分享链接</translation>
        </message>
        <message>
            <source>Meeting number</source>
            <translation>会议号</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>复制</translation>
        </message>
        <message>
            <source>Copy invitation</source>
            <translation>复制邀请</translation>
        </message>
        <message>
            <source>Add to calendar…</source>
            <translation>添加到日历…</translation>
        </message>
        <message>
            <source>Book another</source>
            <translation>再预约一个</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Booked “{theme}”, {when}.</source>
            <translation>已预约“{theme}”，{when}。</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>（无）</translation>
        </message>
        <message>
            <source>Calendar files (*.ics)</source>
            <translation>日历文件 (*.ics)</translation>
        </message>
        <message>
            <source>Add to calendar</source>
            <translation>添加到日历</translation>
        </message>
        <message>
            <source>Could not write {path}: {why}</source>
            <translation>无法写入 {path}：{why}</translation>
        </message>
    </context>
    <context>
        <name>BookingsModel</name>
        <message>
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Theme</source>
            <translation>主题</translation>
        </message>
        <message>
            <source>Room</source>
            <translation>会议室</translation>
        </message>
        <message>
            <source>People</source>
            <translation>人数</translation>
        </message>
        <message>
            <source>Booking ID</source>
            <translation>预约 ID</translation>
        </message>
    </context>
    <context>
        <name>BookingsWindow</name>
        <message>
            <source>My bookings</source>
            <translation>我的预约</translation>
        </message>
        <message>
            <source>Which bookings</source>
            <translation>显示哪些预约</translation>
        </message>
        <message>
            <source>Upcoming</source>
            <translation>即将开始</translation>
        </message>
        <message>
            <source>Past</source>
            <translation>已结束</translation>
        </message>
        <message>
            <source>Invitation</source>
            <translation>邀请</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Copy invitation</source>
            <translation>复制邀请</translation>
        </message>
        <message>
            <source>Export .ics…</source>
            <translation>导出 .ics…</translation>
        </message>
        <message>
            <source>Cancel booking…</source>
            <translation>取消预约…</translation>
        </message>
        <message>
            <source>Showing the last list: {why}</source>
            <translation>显示的是上次的列表：{why}</translation>
        </message>
        <message>
            <source>No bookings.</source>
            <translation>没有预约。</translation>
        </message>
        <message>
            <source>Calendar files (*.ics)</source>
            <translation>日历文件 (*.ics)</translation>
        </message>
        <message>
            <source>Export to calendar</source>
            <translation>导出到日历</translation>
        </message>
        <message>
            <source>Could not write {path}: {why}</source>
            <translation>无法写入 {path}：{why}</translation>
        </message>
        <message>
            <source>Written to {path}</source>
            <translation>已写入 {path}</translation>
        </message>
        <message>
            <source>Cancel booking</source>
            <translation>取消预约</translation>
        </message>
        <message>
            <source>Cancel “{theme}”, {when}? Everyone invited loses the meeting.</source>
            <translation>取消“{theme}”（{when}）吗？所有受邀者都将失去这场会议。</translation>
        </message>
        <message>
            <source>Cancelled “{theme}”.</source>
            <translation>已取消“{theme}”。</translation>
        </message>
    </context>
    <context>
        <name>ContactPicker</name>
        <message>
            <source>Search by name, account or id</source>
            <translation>按姓名、账号或 ID 搜索</translation>
        </message>
        <message>
            <source>Refresh contacts</source>
            <translation>刷新通讯录</translation>
        </message>
        <message>
            <source>Participants</source>
            <translation>参会人</translation>
        </message>
        <message>
            <source>{picked} chosen · {shown} of {total} shown</source>
            <translation>已选 {picked} 人 · 显示 {shown}/{total}</translation>
        </message>
    </context>
    <context>
        <name>FallbackWindow</name>
        <message>
            <source>vmrtray</source>
            <translation>vmrtray</translation>
        </message>
        <message>
            <source>This desktop has no system tray, so vmrtray shows itself in this window.</source>
            <translation>此桌面没有系统托盘，vmrtray 显示在这个窗口中。</translation>
        </message>
        <message>
            <source>Menu</source>
            <translation>菜单</translation>
        </message>
    </context>
    <context>
        <name>RecordingsModel</name>
        <message>
            <source>Room</source>
            <translation>会议室</translation>
        </message>
        <message>
            <source>Room name</source>
            <translation>会议室名称</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>开始时间</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>时长</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>大小</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>downloading {p}% at {s}/s</source>
            <translation>正在下载 {p}%，{s}/秒</translation>
        </message>
        <message>
            <source>, {t} left</source>
            <translation>，剩余 {t}</translation>
        </message>
        <message>
            <source>downloading in another process</source>
            <translation>另一进程正在下载</translation>
        </message>
        <message>
            <source>queued</source>
            <translation>排队中</translation>
        </message>
        <message>
            <source>paused</source>
            <translation>已暂停</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>downloaded</source>
            <translation>已下载</translation>
        </message>
        <message>
            <source> (deleted from the cloud)</source>
            <translation>（已从云端删除）</translation>
        </message>
        <message>
            <source>deleted</source>
            <translation>已删除</translation>
        </message>
        <message>
            <source>in the cloud</source>
            <translation>在云端</translation>
        </message>
        <message>
            <source>in the cloud (files not listed yet)</source>
            <translation>在云端（文件尚未列出）</translation>
        </message>
        <message>
            <source>being made — checking now</source>
            <translation>正在生成 — 正在查询</translation>
        </message>
        <message>
            <source>being made — next check {time}</source>
            <translation>正在生成 — 下次查询 {time}</translation>
        </message>
        <message>
            <source>not listed — probably deleted</source>
            <translation>未列出 — 可能已被删除</translation>
        </message>
        <message>
            <source>The service lists the files once it has made them; asked again, less often, for 48 hours.</source>
            <translation>服务端生成文件后才会列出；本程序会再次查询，间隔逐渐变长，最长 48 小时。</translation>
        </message>
        <message>
            <source>The service still listed no files 48 hours after the recording stopped.</source>
            <translation>录制停止 48 小时后，服务端仍未列出任何文件。</translation>
        </message>
    </context>
    <context>
        <name>RecordingsWindow</name>
        <message>
            <source>Recordings</source>
            <translation>录制</translation>
        </message>
        <message>
            <source>A signed link to the file in the cloud; it expires within hours.</source>
            <translation>指向云端文件的签名链接，数小时内失效。</translation>
        </message>
        <message>
            <source>Asks first, naming the files; the downloaded copies stay.</source>
            <translation>会先列出文件并确认；已下载的副本保留。</translation>
        </message>
        <message>
            <source>A recording started elsewhere (the portal, a colleague) by its ID.</source>
            <translation>按 ID 添加在别处（管理门户、同事）开始的录制。</translation>
        </message>
        <message>
            <source>Delete from the cloud once downloaded and verified</source>
            <translation>下载并校验后从云端删除</translation>
        </message>
        <message>
            <source>Filter by room, name or recording ID</source>
            <translation>按会议室、名称或录制 ID 筛选</translation>
        </message>
        <message>
            <source>Room</source>
            <translation>会议室</translation>
        </message>
        <message>
            <source>All rooms</source>
            <translation>所有会议室</translation>
        </message>
        <message>
            <source>From</source>
            <translation>日期从</translation>
        </message>
        <message>
            <source>From date</source>
            <translation>起始日期</translation>
        </message>
        <message>
            <source>To date</source>
            <translation>截止日期</translation>
        </message>
        <message>
            <source>Download</source>
            <translation>下载</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>暂停</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>继续</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Copy link</source>
            <translation>复制链接</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>打开</translation>
        </message>
        <message>
            <source>Show in folder</source>
            <translation>在文件夹中显示</translation>
        </message>
        <message>
            <source>Delete from cloud…</source>
            <translation>从云端删除…</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Add recording ID…</source>
            <translation>添加录制 ID…</translation>
        </message>
        <message>
            <source>Cannot use the download folder: {why}</source>
            <translation>无法使用下载文件夹：{why}</translation>
        </message>
        <message numerus="yes">
            <source>Copied %n link(s); they expire within hours.</source>
            <translation>
                <numerusform>已复制 %n 个链接；链接将在数小时内失效。</numerusform>
            </translation>
        </message>
        <message>
            <source>Not downloaded yet.</source>
            <translation>尚未下载。</translation>
        </message>
        <message>
            <source>Delete from the cloud</source>
            <translation>从云端删除</translation>
        </message>
        <message numerus="yes">
            <source>Delete %n recording(s) from the cloud? This cannot be undone.</source>
            <translation>
                <numerusform>从云端删除 %n 个录制吗？此操作无法撤销。</numerusform>
            </translation>
        </message>
        <message>
            <source>Also delete the downloaded copies on this computer</source>
            <translation>同时删除本机上已下载的副本</translation>
        </message>
        <message numerus="yes">
            <source>Deleted %n recording(s) from the cloud.</source>
            <translation>
                <numerusform>已从云端删除 %n 个录制。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n recording(s) could not be listed (unknown, deleted, or still recording).</source>
            <translation>
                <numerusform>%n 个录制无法列出（不存在、已删除或仍在录制中）。</numerusform>
            </translation>
        </message>
        <message>
            <source>Add recording ID</source>
            <translation>添加录制 ID</translation>
        </message>
        <message>
            <source>Recording ID (from openRecord, the portal or a colleague):</source>
            <translation>录制 ID（来自 openRecord、管理门户或同事）：</translation>
        </message>
        <message>
            <source>{text!r} is not a recording ID.</source>
            <translation>{text!r} 不是录制 ID。</translation>
        </message>
        <message>
            <source>Added {id}.</source>
            <translation>已添加 {id}。</translation>
        </message>
        <message>
            <source>Check now</source>
            <translation>立即查询</translation>
        </message>
        <message>
            <source>Ask the service now whether the files of a recording being made are listed.</source>
            <translation>立即向服务端查询正在生成的录制文件是否已列出。</translation>
        </message>
        <message numerus="yes">
            <source>Asking the service for the files of %n recording(s)…</source>
            <translation>
                <numerusform>正在向服务端查询 %n 个录制的文件…</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>RoomWords</name>
        <message>
            <source>unavailable</source>
            <translation>不可用</translation>
        </message>
        <message>
            <source>idle</source>
            <translation>空闲</translation>
        </message>
        <message>
            <source>in use</source>
            <translation>使用中</translation>
        </message>
        <message numerus="yes">
            <source>%n people</source>
            <translation>
                <numerusform>%n 人</numerusform>
            </translation>
        </message>
        <message>
            <source>REC</source>
            <translation>录制中</translation>
        </message>
        <message>
            <source>LIVE</source>
            <translation>直播中</translation>
        </message>
        <message>
            <source>starting live stream…</source>
            <translation>正在开始直播…</translation>
        </message>
        <message>
            <source>stopping live stream…</source>
            <translation>正在停止直播…</translation>
        </message>
        <message>
            <source>locked</source>
            <translation>已锁定</translation>
        </message>
        <message>
            <source>Unavailable: {why}</source>
            <translation>不可用：{why}</translation>
        </message>
        <message>
            <source>Idle: no meeting is running</source>
            <translation>空闲：没有进行中的会议</translation>
        </message>
        <message numerus="yes">
            <source>In use: %n participant(s)</source>
            <translation>
                <numerusform>使用中：%n 位参会人</numerusform>
            </translation>
        </message>
        <message>
            <source>Locked</source>
            <translation>已锁定</translation>
        </message>
        <message>
            <source>Not locked</source>
            <translation>未锁定</translation>
        </message>
        <message>
            <source>Recording (started by this app)</source>
            <translation>录制中（由本应用开始）</translation>
        </message>
        <message>
            <source>Recording (started by someone else)</source>
            <translation>录制中（由他人开始）</translation>
        </message>
        <message>
            <source>Recording failed: {why}</source>
            <translation>录制失败：{why}</translation>
        </message>
        <message>
            <source>starting recording…</source>
            <translation>正在开始录制…</translation>
        </message>
        <message>
            <source>Starting recording: waiting for the service to say it records</source>
            <translation>正在开始录制：等待服务确认已在录制</translation>
        </message>
        <message>
            <source>Streaming live</source>
            <translation>直播中</translation>
        </message>
        <message>
            <source>Live stream started: waiting for the service to say it streams</source>
            <translation>已请求开始直播：等待服务确认正在直播</translation>
        </message>
        <message>
            <source>Starting recording…</source>
            <translation>正在开始录制…</translation>
        </message>
        <message>
            <source>Stopping recording…</source>
            <translation>正在停止录制…</translation>
        </message>
        <message>
            <source>Stop recording</source>
            <translation>停止录制</translation>
        </message>
        <message>
            <source>Start recording — the room is unavailable</source>
            <translation>开始录制 — 会议室不可用</translation>
        </message>
        <message>
            <source>Start recording — the meeting has not started</source>
            <translation>开始录制 — 会议尚未开始</translation>
        </message>
        <message>
            <source>Start recording — this room may not be recorded</source>
            <translation>开始录制 — 此会议室不允许录制</translation>
        </message>
        <message>
            <source>Start recording</source>
            <translation>开始录制</translation>
        </message>
        <message>
            <source>Starting live stream…</source>
            <translation>正在开始直播…</translation>
        </message>
        <message>
            <source>Stopping live stream…</source>
            <translation>正在停止直播…</translation>
        </message>
        <message>
            <source>Stop live stream</source>
            <translation>停止直播</translation>
        </message>
        <message>
            <source>Start live stream</source>
            <translation>开始直播</translation>
        </message>
        <message>
            <source>Start live stream — this meeting may not be streamed</source>
            <translation>开始直播 — 此会议不允许直播</translation>
        </message>
        <message>
            <source>Join the meeting in {name}</source>
            <translation>加入 {name} 的会议</translation>
        </message>
        <message>
            <source>Meeting number: {n}</source>
            <translation>会议号：{n}</translation>
        </message>
        <message>
            <source>Address: {a}</source>
            <translation>地址：{a}</translation>
        </message>
        <message>
            <source>Guest password: {p}</source>
            <translation>来宾密码：{p}</translation>
        </message>
        <message>
            <source>No guest password</source>
            <translation>无来宾密码</translation>
        </message>
        <message>
            <source>Host password: {p}</source>
            <translation>主持人密码：{p}</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>vmrtray settings</source>
            <translation>vmrtray 设置</translation>
        </message>
        <message>
            <source>Server</source>
            <translation>服务器</translation>
        </message>
        <message>
            <source>Public cloud (API ID + API KEY)</source>
            <translation>公有云（API ID + API KEY）</translation>
        </message>
        <message>
            <source>Dedicated cloud (tenant key)</source>
            <translation>专属云（租户密钥）</translation>
        </message>
        <message>
            <source>Cloud</source>
            <translation>云类型</translation>
        </message>
        <message>
            <source>API ID</source>
            <translation>API ID</translation>
        </message>
        <message>
            <source>leave empty to keep the stored key</source>
            <translation>留空则保留已存的密钥</translation>
        </message>
        <message>
            <source>API KEY</source>
            <translation>API KEY</translation>
        </message>
        <message>
            <source>Tenant key</source>
            <translation>租户密钥</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>账号</translation>
        </message>
        <message>
            <source>Test connection</source>
            <translation>测试连接</translation>
        </message>
        <message>
            <source>other short numbers, comma separated</source>
            <translation>其他短号，用逗号分隔</translation>
        </message>
        <message>
            <source>Favourite rooms</source>
            <translation>常用会议室</translation>
        </message>
        <message>
            <source>Refresh while in use (s)</source>
            <translation>使用中刷新间隔（秒）</translation>
        </message>
        <message>
            <source>Refresh while idle (s)</source>
            <translation>空闲时刷新间隔（秒）</translation>
        </message>
        <message>
            <source>Meetings start and end</source>
            <translation>会议开始和结束</translation>
        </message>
        <message>
            <source>Participants come and go</source>
            <translation>参会人加入和离开</translation>
        </message>
        <message>
            <source>Recording starts, stops or fails</source>
            <translation>录制开始、停止或失败</translation>
        </message>
        <message>
            <source>Live streaming on and off</source>
            <translation>直播开启和关闭</translation>
        </message>
        <message>
            <source>Rooms or the service become unavailable</source>
            <translation>会议室或服务不可用</translation>
        </message>
        <message>
            <source>Alerts</source>
            <translation>通知</translation>
        </message>
        <message>
            <source> min before</source>
            <translation> 分钟前</translation>
        </message>
        <message>
            <source>off</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Remind me of my bookings</source>
            <translation>预约提醒</translation>
        </message>
        <message>
            <source>Start vmrtray when I log in</source>
            <translation>登录时启动 vmrtray</translation>
        </message>
        <message>
            <source>As the system</source>
            <translation>跟随系统</translation>
        </message>
        <message>
            <source>The tray and vmrctl use it from their next start.</source>
            <translation>托盘和 vmrctl 在下次启动时使用。</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <source>In colour</source>
            <translation>彩色</translation>
        </message>
        <message>
            <source>Monochrome, as the panel is light or dark</source>
            <translation>单色，随面板深浅</translation>
        </message>
        <message>
            <source>Tray icon</source>
            <translation>托盘图标</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>浏览…</translation>
        </message>
        <message>
            <source>Download folder</source>
            <translation>下载文件夹</translation>
        </message>
        <message>
            <source>More than 1 only helps where the file store limits the speed of each connection.</source>
            <translation>仅当文件存储限制单个连接的速度时，大于 1 才有帮助。</translation>
        </message>
        <message>
            <source>Connections per large file</source>
            <translation>每个大文件的连接数</translation>
        </message>
        <message>
            <source>Server time zone</source>
            <translation>服务器时区</translation>
        </message>
        <message>
            <source>System proxy</source>
            <translation>系统代理</translation>
        </message>
        <message>
            <source>No proxy</source>
            <translation>不使用代理</translation>
        </message>
        <message>
            <source>Manual</source>
            <translation>手动</translation>
        </message>
        <message>
            <source>Proxy</source>
            <translation>代理</translation>
        </message>
        <message>
            <source>the system&apos;s certificates</source>
            <translation>系统的证书</translation>
        </message>
        <message>
            <source>A PEM file of the authorities to trust, for a server with a private CA.</source>
            <translation>要信任的证书机构的 PEM 文件，用于使用私有 CA 的服务器。</translation>
        </message>
        <message>
            <source>CA certificates</source>
            <translation>CA 证书</translation>
        </message>
        <message>
            <source>Allow plain http to a server on the network (sends the key unencrypted)</source>
            <translation>允许对网络上的服务器使用明文 http（密钥将不加密发送）</translation>
        </message>
        <message>
            <source>Certificates (*.pem *.crt *.cer)</source>
            <translation>证书 (*.pem *.crt *.cer)</translation>
        </message>
        <message>
            <source>the server address is required</source>
            <translation>必须填写服务器地址</translation>
        </message>
        <message>
            <source>plain http to a server on the network sends the key unencrypted: use https, or allow it below</source>
            <translation>对网络上的服务器使用明文 http 会不加密地发送密钥：请使用 https，或在下方允许</translation>
        </message>
        <message>
            <source>the account is required (user@domain)</source>
            <translation>必须填写账号（用户@域名）</translation>
        </message>
        <message>
            <source>not a server address: http(s)://host, without ? or #, like https://prov.myvmr.cn</source>
            <translation>不是服务器地址：应为 http(s)://主机，不含 ? 或 #，例如 https://prov.myvmr.cn</translation>
        </message>
        <message>
            <source>not an account: user@domain</source>
            <translation>不是账号：应为 用户@域名</translation>
        </message>
        <message>
            <source>{value} is not a room&apos;s short number (digits only, like 100701)</source>
            <translation>{value} 不是会议室短号（只含数字，例如 100701）</translation>
        </message>
        <message>
            <source>not a time zone, like Asia/Shanghai</source>
            <translation>不是时区，例如 Asia/Shanghai</translation>
        </message>
        <message>
            <source>not a proxy address: http(s):// or socks5:// and the host, like http://proxy.example:8080</source>
            <translation>不是代理地址：应为 http(s):// 或 socks5:// 加主机，例如 http://proxy.example:8080</translation>
        </message>
        <message>
            <source>a manual proxy needs its address, like http://proxy.example:8080</source>
            <translation>手动代理需要填写地址，例如 http://proxy.example:8080</translation>
        </message>
        <message>
            <source>from 2 to 3600 seconds</source>
            <translation>2 到 3600 秒</translation>
        </message>
        <message>
            <source>from 5 to 86400 seconds</source>
            <translation>5 到 86400 秒</translation>
        </message>
        <message>
            <source>the API ID and the API KEY are both needed (the ID has no colon)</source>
            <translation>API ID 和 API KEY 都必须填写（ID 中不能有冒号）</translation>
        </message>
        <message>
            <source>not a file: choose a PEM file of certificates</source>
            <translation>不是文件：请选择证书的 PEM 文件</translation>
        </message>
        <message>
            <source>not a PEM file of certificates; a DER file (.cer, .der) converts with openssl x509 -inform der -in FILE -out FILE.pem</source>
            <translation>不是证书的 PEM 文件；DER 文件（.cer、.der）可以这样转换：openssl x509 -inform der -in FILE -out FILE.pem</translation>
        </message>
        <message>
            <source>cannot be read: choose a PEM file of certificates</source>
            <translation>无法读取：请选择证书的 PEM 文件</translation>
        </message>
        <message>
            <source>Testing…</source>
            <translation>正在测试…</translation>
        </message>
        <message numerus="yes">
            <source>Connected: %n room(s)</source>
            <translation>
                <numerusform>已连接：%n 个会议室</numerusform>
            </translation>
        </message>
        <message>
            <source>enter the key: none is stored for this server yet</source>
            <translation>请输入密钥：尚未为此服务器保存密钥</translation>
        </message>
        <message>
            <source>Never</source>
            <translation>从不</translation>
        </message>
        <message>
            <source>Recordings started here</source>
            <translation>在本程序中开始的录制</translation>
        </message>
        <message>
            <source>Every recording of my favourite rooms</source>
            <translation>常用会议室的所有录制</translation>
        </message>
        <message>
            <source>Into the download folder, as soon as the service lists the files of a stopped recording.</source>
            <translation>录制停止后，服务端一列出文件，就下载到下载文件夹。</translation>
        </message>
        <message>
            <source>Download recordings when ready</source>
            <translation>录制就绪后自动下载</translation>
        </message>
    </context>
    <context>
        <name>Tray</name>
        <message>
            <source>vmrtray</source>
            <translation>vmrtray</translation>
        </message>
        <message>
            <source>DEMO</source>
            <translation>演示</translation>
        </message>
        <message>
            <source>not signed in</source>
            <translation>未登录</translation>
        </message>
        <message>
            <source>signed out: the key was rejected</source>
            <translation>已退出：密钥被拒绝</translation>
        </message>
        <message>
            <source>signed out: the key was rejected twice in a row (refused: {request})</source>
            <translation>已退出：密钥连续两次被拒绝（被拒绝的请求：{request}）</translation>
        </message>
        <message>
            <source>service unreachable</source>
            <translation>无法连接服务</translation>
        </message>
        <message>
            <source>showing data from {age} ago</source>
            <translation>显示的是 {age}前的数据</translation>
        </message>
        <message numerus="yes">
            <source>{n} of %n room(s) in use</source>
            <translation>
                <numerusform>%n 个会议室中 {n} 个使用中</numerusform>
            </translation>
        </message>
        <message>
            <source>{n} recording</source>
            <translation>{n} 个录制中</translation>
        </message>
        <message>
            <source>{n} starting recording…</source>
            <translation>{n} 个正在开始录制…</translation>
        </message>
        <message>
            <source>{n} live</source>
            <translation>{n} 个直播中</translation>
        </message>
        <message>
            <source>updates paused</source>
            <translation>已暂停更新</translation>
        </message>
        <message numerus="yes">
            <source>downloading %n file(s): {p}%</source>
            <translation>
                <numerusform>正在下载 %n 个文件：{p}%</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>TrayApp</name>
        <message>
            <source>The list of recordings was damaged and begins anew; the old file is kept as {name}.</source>
            <translation>录制列表已损坏，将重新开始；旧文件保留为 {name}。</translation>
        </message>
        <message>
            <source>Could not change the start at login: {why}</source>
            <translation>无法更改登录时启动：{why}</translation>
        </message>
        <message>
            <source>The new language shows from the next start of vmrtray.</source>
            <translation>新语言将在下次启动 vmrtray 时生效。</translation>
        </message>
        <message>
            <source>vmrtray is already running.</source>
            <translation>vmrtray 已在运行。</translation>
        </message>
    </context>
    <context>
        <name>TrayMenu</name>
        <message>
            <source>Sign in…</source>
            <translation>登录…</translation>
        </message>
        <message>
            <source>Try the demo</source>
            <translation>试用演示</translation>
        </message>
        <message>
            <source>No favourite rooms yet: pick them in Settings…</source>
            <translation>还没有常用会议室：请在“设置…”中选择</translation>
        </message>
        <message>
            <source>Recent</source>
            <translation>最近动态</translation>
        </message>
        <message>
            <source>Refresh now</source>
            <translation>立即刷新</translation>
        </message>
        <message>
            <source>Pause updates</source>
            <translation>暂停更新</translation>
        </message>
        <message>
            <source>Book a meeting…</source>
            <translation>预约会议…</translation>
        </message>
        <message>
            <source>My bookings…</source>
            <translation>我的预约…</translation>
        </message>
        <message>
            <source>Recordings…</source>
            <translation>录制…</translation>
        </message>
        <message>
            <source>Settings…</source>
            <translation>设置…</translation>
        </message>
        <message>
            <source>Open log folder</source>
            <translation>打开日志文件夹</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>退出</translation>
        </message>
        <message>
            <source>Nothing has happened yet</source>
            <translation>暂无动态</translation>
        </message>
        <message>
            <source>Copy guest invitation</source>
            <translation>复制来宾邀请</translation>
        </message>
        <message>
            <source>Copy invitation with host password</source>
            <translation>复制含主持人密码的邀请</translation>
        </message>
        <message>
            <source>Copy watch address</source>
            <translation>复制观看地址</translation>
        </message>
        <message>
            <source>Open live stream</source>
            <translation>打开直播</translation>
        </message>
        <message>
            <source>No program here opens the live stream's address: it was copied instead.</source>
            <translation>本机没有能打开直播地址的程序：已改为复制该地址。</translation>
        </message>
    </context>
</TS>
