<?xml version="1.0" encoding="utf-8"?>
<!--
  The Atom feed of a search (/search.atom), shown as a readable page when opened in a browser; feed readers ignore
  this stylesheet. XSLT 1.0, the version browsers run.

  Article text is untrusted: it is only ever copied with xsl:value-of, which writes text (escaped), and never with
  disable-output-escaping. Links come from the feed's own link elements, which the app builds. The page has no
  inline style or script, so the app's Content-Security-Policy applies to it unchanged.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom"
                exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="no" doctype-system="about:legacy-compat"/>

  <!-- The folder this stylesheet was linked from (…/static/), read from the feed's xml-stylesheet instruction, so
       style.css is found below any path prefix the app is served under. -->
  <xsl:variable name="static"
                select="substring-before(substring-after(/processing-instruction('xml-stylesheet'), 'href=&quot;'),
                        'feed.xsl')"/>

  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/> (Atom feed)</title>
        <link rel="stylesheet" href="{$static}style.css"/>
      </head>
      <body>
        <main id="main" class="feed-page">
          <h1 class="results-title"><xsl:value-of select="atom:title"/></h1>
          <div class="feed-about">
            <p>This is an Atom feed of a search; paste its address into a feed reader to follow new articles.</p>
            <p>Feed address: <code class="feed-address"><xsl:value-of select="atom:link[@rel='self']/@href"/></code></p>
            <p><a href="{atom:link[@rel='alternate']/@href}">Open this search in the archive</a></p>
          </div>
          <h2 class="feed-entries-title">
            <xsl:text>Latest articles</xsl:text>
            <xsl:if test="atom:entry"> (<xsl:value-of select="count(atom:entry)"/>)</xsl:if>
          </h2>
          <xsl:choose>
            <xsl:when test="atom:entry">
              <ol class="results">
                <xsl:apply-templates select="atom:entry"/>
              </ol>
            </xsl:when>
            <xsl:otherwise>
              <p class="empty">No article matches this search yet. A feed reader will show new ones as they
                arrive.</p>
            </xsl:otherwise>
          </xsl:choose>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="hit">
      <h3 class="hit-headline">
        <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
      </h3>
      <p class="hit-meta">
        <xsl:if test="atom:author">
          <span class="byline">
            <xsl:for-each select="atom:author/atom:name">
              <xsl:if test="position() &gt; 1">, </xsl:if>
              <xsl:value-of select="."/>
            </xsl:for-each>
          </span>
          <xsl:text> · </xsl:text>
        </xsl:if>
        <xsl:choose>
          <xsl:when test="atom:published">
            <time datetime="{atom:published}">
              <xsl:call-template name="date-in-words">
                <xsl:with-param name="stamp" select="atom:published"/>
              </xsl:call-template>
            </time>
          </xsl:when>
          <xsl:otherwise>undated</xsl:otherwise>
        </xsl:choose>
      </p>
      <p class="snippet"><xsl:value-of select="atom:summary"/></p>
    </li>
  </xsl:template>

  <!-- 2020-10-02T00:00:00+02:00 as the archive's pages write it: 2 October 2020 (the day as printed). -->
  <xsl:template name="date-in-words">
    <xsl:param name="stamp"/>
    <xsl:variable name="month" select="substring($stamp, 6, 2)"/>
    <xsl:value-of select="number(substring($stamp, 9, 2))"/>
    <xsl:text> </xsl:text>
    <xsl:choose>
      <xsl:when test="$month = '01'">January</xsl:when>
      <xsl:when test="$month = '02'">February</xsl:when>
      <xsl:when test="$month = '03'">March</xsl:when>
      <xsl:when test="$month = '04'">April</xsl:when>
      <xsl:when test="$month = '05'">May</xsl:when>
      <xsl:when test="$month = '06'">June</xsl:when>
      <xsl:when test="$month = '07'">July</xsl:when>
      <xsl:when test="$month = '08'">August</xsl:when>
      <xsl:when test="$month = '09'">September</xsl:when>
      <xsl:when test="$month = '10'">October</xsl:when>
      <xsl:when test="$month = '11'">November</xsl:when>
      <xsl:when test="$month = '12'">December</xsl:when>
    </xsl:choose>
    <xsl:text> </xsl:text>
    <xsl:value-of select="substring($stamp, 1, 4)"/>
  </xsl:template>
</xsl:stylesheet>
